/* ch06-uefi/file.c: see file.h. */
#include <efi.h>
#include <efilib.h>
#include "file.h"

static EFI_STATUS open_boot_volume(EFI_HANDLE image, EFI_FILE_HANDLE *root)
{
    EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
    EFI_GUID file_system_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
    EFI_LOADED_IMAGE *loaded;
    EFI_FILE_IO_INTERFACE *volume;

    EFI_STATUS status = BS->HandleProtocol(image, &loaded_image_guid, (void **)&loaded);
    if (EFI_ERROR(status))
        return status;
    status = BS->HandleProtocol(loaded->DeviceHandle, &file_system_guid, (void **)&volume);
    if (EFI_ERROR(status))
        return status;
    return volume->OpenVolume(volume, root);
}

static EFI_STATUS open_file(EFI_HANDLE image, const CHAR16 *path, EFI_FILE_HANDLE *file)
{
    EFI_FILE_HANDLE root;
    EFI_STATUS status = open_boot_volume(image, &root);
    if (EFI_ERROR(status))
        return status;
    status = root->Open(root, file, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
    root->Close(root);
    return status;
}

BOOLEAN file_exists(EFI_HANDLE image, const CHAR16 *path)
{
    EFI_FILE_HANDLE file;
    if (EFI_ERROR(open_file(image, path, &file)))
        return FALSE;
    file->Close(file);
    return TRUE;
}

EFI_STATUS file_read(EFI_HANDLE image, const CHAR16 *path, UINTN max_bytes,
                     UINT8 **data, UINTN *size)
{
    EFI_FILE_HANDLE file;
    EFI_STATUS status = open_file(image, path, &file);
    if (EFI_ERROR(status))
        return status;

    /* LibFileInfo (libefi) asks for EFI_FILE_INFO with a buffer of the right size. */
    EFI_FILE_INFO *info = LibFileInfo(file);
    if (!info) {
        file->Close(file);
        return EFI_DEVICE_ERROR;
    }
    UINT64 bytes = info->FileSize;
    FreePool(info);
    if (bytes > max_bytes) {
        file->Close(file);
        return EFI_BAD_BUFFER_SIZE;
    }

    UINT8 *buffer = AllocatePool(bytes + 1);      /* +1: never a zero-byte pool request */
    if (!buffer) {
        file->Close(file);
        return EFI_OUT_OF_RESOURCES;
    }
    UINTN read = bytes;
    status = file->Read(file, &read, buffer);
    file->Close(file);
    if (EFI_ERROR(status)) {
        FreePool(buffer);
        return status;
    }
    *data = buffer;
    *size = read;
    return EFI_SUCCESS;
}
