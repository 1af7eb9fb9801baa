/*
 * ip4_config2.h -- EFI_IP4_CONFIG2_PROTOCOL, which gnu-efi 3.0.15 does not
 * declare. Layouts and values from the UEFI specification 2.10, section 28.5
 * "EFI IPv4 Configuration II Protocol". The protocol sits on the NIC's
 * controller handle, next to the TCP4 and IP4 service bindings, and decides
 * how the interface gets its address: a static one, or one from DHCP.
 */
#ifndef IP4_CONFIG2_H
#define IP4_CONFIG2_H

#include <efi.h>
#include <stddef.h>

#define EFI_IP4_CONFIG2_PROTOCOL_GUID \
    { 0x5b446ed1, 0xe30b, 0x4faa, { 0x87, 0x1a, 0x36, 0x54, 0xec, 0xa3, 0x60, 0x80 } }

typedef enum {
    Ip4Config2DataTypeInterfaceInfo,    /* EFI_IP4_CONFIG2_INTERFACE_INFO, read only */
    Ip4Config2DataTypePolicy,           /* EFI_IP4_CONFIG2_POLICY */
    Ip4Config2DataTypeManualAddress,
    Ip4Config2DataTypeGateway,          /* EFI_IPv4_ADDRESS[] */
    Ip4Config2DataTypeDnsServer,
    Ip4Config2DataTypeMaximum
} EFI_IP4_CONFIG2_DATA_TYPE;

typedef enum {
    Ip4Config2PolicyStatic,
    Ip4Config2PolicyDhcp,
    Ip4Config2PolicyMax
} EFI_IP4_CONFIG2_POLICY;

#define EFI_IP4_CONFIG2_INTERFACE_INFO_NAME_SIZE 32

typedef struct {
    CHAR16              Name[EFI_IP4_CONFIG2_INTERFACE_INFO_NAME_SIZE];
    UINT8               IfType;
    UINT32              HwAddressSize;
    EFI_MAC_ADDRESS     HwAddress;
    EFI_IPv4_ADDRESS    StationAddress;
    EFI_IPv4_ADDRESS    SubnetMask;
    UINT32              RouteTableSize;
    EFI_IP4_ROUTE_TABLE *RouteTable;    /* follows the structure in the same buffer */
} EFI_IP4_CONFIG2_INTERFACE_INFO;

/* The firmware fills this structure: its layout must match edk2's to the byte. */
_Static_assert(sizeof(EFI_IP4_CONFIG2_POLICY) == 4, "the policy is a 32-bit enum");
_Static_assert(offsetof(EFI_IP4_CONFIG2_INTERFACE_INFO, HwAddress) == 72, "HwAddress offset");
_Static_assert(offsetof(EFI_IP4_CONFIG2_INTERFACE_INFO, StationAddress) == 104, "address offset");
_Static_assert(sizeof(EFI_IP4_CONFIG2_INTERFACE_INFO) == 128, "interface info size");

struct _EFI_IP4_CONFIG2_PROTOCOL;

typedef EFI_STATUS (EFIAPI *EFI_IP4_CONFIG2_SET_DATA)(
    struct _EFI_IP4_CONFIG2_PROTOCOL *This, EFI_IP4_CONFIG2_DATA_TYPE DataType,
    UINTN DataSize, VOID *Data);
typedef EFI_STATUS (EFIAPI *EFI_IP4_CONFIG2_GET_DATA)(
    struct _EFI_IP4_CONFIG2_PROTOCOL *This, EFI_IP4_CONFIG2_DATA_TYPE DataType,
    UINTN *DataSize, VOID *Data);
typedef EFI_STATUS (EFIAPI *EFI_IP4_CONFIG2_REGISTER_NOTIFY)(
    struct _EFI_IP4_CONFIG2_PROTOCOL *This, EFI_IP4_CONFIG2_DATA_TYPE DataType,
    EFI_EVENT Event);
typedef EFI_STATUS (EFIAPI *EFI_IP4_CONFIG2_UNREGISTER_NOTIFY)(
    struct _EFI_IP4_CONFIG2_PROTOCOL *This, EFI_IP4_CONFIG2_DATA_TYPE DataType,
    EFI_EVENT Event);

typedef struct _EFI_IP4_CONFIG2_PROTOCOL {
    EFI_IP4_CONFIG2_SET_DATA          SetData;
    EFI_IP4_CONFIG2_GET_DATA          GetData;
    EFI_IP4_CONFIG2_REGISTER_NOTIFY   RegisterDataNotify;
    EFI_IP4_CONFIG2_UNREGISTER_NOTIFY UnregisterDataNotify;
} EFI_IP4_CONFIG2_PROTOCOL;

#endif
