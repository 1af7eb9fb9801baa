/*
 * nic_driver.c -- the UEFI driver model, used by hand: load a NIC driver from
 * the boot volume, start it, and connect it to the NIC.
 *
 * A UEFI driver is an image like our application, with the subsystem "boot
 * service driver" (UEFI spec 2.10, section 2.1.2). Starting it touches no
 * hardware: its entry point installs an EFI_DRIVER_BINDING_PROTOCOL on its
 * own image handle (section 11.1) and returns, staying in memory. The
 * binding's three functions are the driver's whole contract:
 *
 *   Supported(controller)  "is this a device of mine?" (iPXE's e1000 driver:
 *                          PCI_IO says vendor 8086, device 100E)
 *   Start(controller)      take the device over, install protocols: iPXE
 *                          makes a child handle with SNP and NII on it
 *   Stop(controller)       give it back
 *
 * Nothing calls them until someone calls ConnectController(handle) (section
 * 7.3.12): the firmware then asks every driver binding, best version first,
 * whether it supports the handle, and Starts the first that does. With
 * Recursive = TRUE it does the same on every child handle a Start made. So
 * one recursive pass over every handle builds the whole stack on the NIC:
 * iPXE's SNP on the PCI device, then OVMF's own MNP, ARP, IP4, DHCP4, TCP4
 * drivers each on the layer below (net.c draws the layers). This is what
 * OVMF's boot manager did for the virtio NIC before our program started, and
 * what the UEFI shell's `load` and `connect -r` do.
 */
#include <efi.h>
#include <efilib.h>
#include "nic_driver.h"

/* gnu-efi's InitializeLib (net_init calls it) keeps our image handle here. */
extern EFI_HANDLE LibImageHandle;

static EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
static EFI_GUID driver_binding_guid = DRIVER_BINDING_PROTOCOL;
static EFI_GUID component_name2_guid = COMPONENT_NAME2_PROTOCOL;
static EFI_GUID simple_network_guid = EFI_SIMPLE_NETWORK_PROTOCOL_GUID;

/* How many handles carry SNP. A NIC without a driver has none; once a driver
   has it, there are one or more (iPXE installs SNP on a child handle, and
   the firmware's own SNP driver may add another over iPXE's NII). */
static UINTN count_nics(void)
{
    UINTN count = 0;
    EFI_HANDLE *handles = NULL;
    if (EFI_ERROR(BS->LocateHandleBuffer(ByProtocol, &simple_network_guid, NULL, &count,
                                         &handles)))
        return 0;
    FreePool(handles);
    return count;
}

UINTN nic_connect_all(void)
{
    UINTN count = 0, connected = 0;
    EFI_HANDLE *handles = NULL;
    if (EFI_ERROR(BS->LocateHandleBuffer(AllHandles, NULL, NULL, &count, &handles)))
        return 0;
    /* EFI_SUCCESS: some driver started on the handle (or on a child of it);
       EFI_NOT_FOUND: no driver wanted it, the usual answer. */
    for (UINTN i = 0; i < count; i++)
        if (!EFI_ERROR(BS->ConnectController(handles[i], NULL, NULL, TRUE)))
            connected++;
    FreePool(handles);
    return connected;
}

/* The driver's own name, from the COMPONENT_NAME2 protocol that drivers
   install next to their driver binding (section 11.5); NULL if it has none. */
static CHAR16 *driver_name(EFI_HANDLE driver)
{
    EFI_COMPONENT_NAME2_PROTOCOL *names;
    CHAR16 *name = NULL;
    if (EFI_ERROR(BS->HandleProtocol(driver, &component_name2_guid, (VOID **)&names)))
        return NULL;
    /* RFC 4646 language codes; every driver must offer at least one, and
       English is what iPXE and edk2 offer. */
    if (EFI_ERROR(names->GetDriverName(names, (CHAR8 *)"en", &name)))
        return NULL;
    return name;
}

/* Load and start one driver file; TRUE if it is running and has a binding. */
static BOOLEAN start_driver(EFI_HANDLE device, const CHAR16 *file)
{
    EFI_DEVICE_PATH *path = FileDevicePath(device, (CHAR16 *)file);
    if (!path) {
        Print(L"  %s: out of memory for its device path\n", file);
        return FALSE;
    }
    /* LoadImage reads the file through the device path (the boot volume's
       FAT driver), checks the PE32+ header, relocates it into memory of the
       type its subsystem asks for (boot-services code), and gives it a handle
       with a LOADED_IMAGE protocol. EFI_NOT_FOUND: no such file. */
    EFI_HANDLE driver = NULL;
    EFI_STATUS status = BS->LoadImage(FALSE, LibImageHandle, path, NULL, 0, &driver);
    FreePool(path);
    if (status == EFI_NOT_FOUND)
        return FALSE;
    if (EFI_ERROR(status)) {
        Print(L"  %s: LoadImage failed: %r\n", file, status);
        return FALSE;
    }
    EFI_LOADED_IMAGE *loaded = NULL;
    BS->HandleProtocol(driver, &loaded_image_guid, (VOID **)&loaded);
    /* StartImage calls the driver's entry point. A driver returns at once,
       after installing its binding; an error status means it unloaded. */
    UINTN exit_size = 0;
    CHAR16 *exit_data = NULL;
    status = BS->StartImage(driver, &exit_size, &exit_data);
    if (EFI_ERROR(status)) {
        Print(L"  %s: StartImage failed: %r%s%s\n", file, status, exit_data ? L": " : L"",
              exit_data ? exit_data : L"");
        if (exit_data)
            FreePool(exit_data);
        return FALSE;
    }
    EFI_DRIVER_BINDING_PROTOCOL *binding;
    if (EFI_ERROR(BS->HandleProtocol(driver, &driver_binding_guid, (VOID **)&binding))) {
        Print(L"  %s: started, but it installed no driver binding: not a UEFI driver\n", file);
        return FALSE;
    }
    CHAR16 *name = driver_name(driver);
    Print(L"  %s: loaded at 0x%lx (%ld bytes), started: \"%s\", binding version 0x%x\n", file,
          loaded ? (UINT64)loaded->ImageBase : 0, loaded ? loaded->ImageSize : 0,
          name ? name : L"(no name)", binding->Version);
    return TRUE;
}

UINTN nic_driver_load(void)
{
    static const CHAR16 *const files[] = NIC_DRIVER_FILES;
    static UINTN started;              /* a second load would bind nothing new */
    if (started)
        return started;
    EFI_LOADED_IMAGE *self;
    if (EFI_ERROR(BS->HandleProtocol(LibImageHandle, &loaded_image_guid, (VOID **)&self))) {
        Print(L"no LOADED_IMAGE protocol on our own image: cannot find the boot volume\n");
        return 0;
    }
    Print(L"no NIC has a network stack: loading NIC drivers from the boot volume\n");
    for (UINTN i = 0; i < sizeof files / sizeof files[0]; i++)
        if (start_driver(self->DeviceHandle, files[i]))
            started++;
    if (started == 0) {
        Print(L"  no NIC driver would start (looked for");
        for (UINTN i = 0; i < sizeof files / sizeof files[0]; i++)
            Print(L" %s", files[i]);
        Print(L")\n");
        return 0;
    }
    UINTN before = count_nics();
    nic_connect_all();
    UINTN after = count_nics();
    Print(L"  connected every controller; handles with SNP: %ld before, %ld now%s\n",
          before, after, after > before ? L"" : L": no NIC here is one this driver supports");
    return started;
}
