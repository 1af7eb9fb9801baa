#!/bin/sh
# usb.sh: write a chapter's boot image to a USB stick, carefully.
#
#   usb.sh IMAGE DEVICE            (make usb DEVICE=/dev/sdX runs this)
#
# Writing an image to a device destroys everything on it, and naming the wrong
# device destroys your own disk. So before anything is written, DEVICE must be:
#   - a block device, and a whole disk (/dev/sdb, not the partition /dev/sdb1);
#   - removable, as the kernel reports it (/sys/block/NAME/removable = 1), which
#     USB sticks and card readers are and internal disks are not;
#   - not in use: none of its partitions mounted, used as swap, or held by
#     another device (LVM, RAID, dm-crypt);
#   - not the disk the running system lives on (the one holding /);
#   - at least as big as IMAGE.
# Then it shows the device's model and size and writes only after you type
# "yes". Anything else stops with a message and exit status 1; nothing is written.
#
# Options (before IMAGE):
#   --allow-loop   accept a loop device (losetup on a file) in place of a
#                  removable disk. Loop devices are how this script is tested
#                  (common/tests/test_usb.py); every other check still applies.
#   --sys DIR      read /sys from DIR (tests only; default /sys)
set -eu

fail() { echo "usb: $*" >&2; echo "usb: nothing was written." >&2; exit 1; }

ALLOW_LOOP=no
SYS=/sys
while [ $# -gt 0 ]; do
    case "$1" in
        --allow-loop) ALLOW_LOOP=yes; shift ;;
        --sys) SYS=$2; shift 2 ;;
        --) shift; break ;;
        -*) fail "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || fail "usage: usb.sh [--allow-loop] IMAGE DEVICE   (make usb DEVICE=/dev/sdX)"
IMAGE=$1
DEVICE=$2

[ -f "$IMAGE" ] || fail "$IMAGE does not exist: run make first"
[ -n "$DEVICE" ] || fail "say which device: make usb DEVICE=/dev/sdX (lsblk lists them; plug the stick in and look for the new one)"
[ -e "$DEVICE" ] || fail "$DEVICE does not exist (lsblk lists the devices)"
[ -b "$DEVICE" ] || fail "$DEVICE is not a block device: name a disk such as /dev/sdb"

# The kernel's name for it (sdb, loop3), even when DEVICE is a symlink such
# as /dev/disk/by-id/usb-...
NAME=$(basename "$(readlink -f "$DEVICE")")
[ -e "$SYS/class/block/$NAME" ] || fail "$DEVICE ($NAME) is not in $SYS/class/block"
if [ -e "$SYS/class/block/$NAME/partition" ]; then
    fail "$DEVICE is a partition, not a whole disk: name the disk it is on (e.g. /dev/sdb, not /dev/sdb1)"
fi
[ -d "$SYS/block/$NAME" ] || fail "$DEVICE is not a whole disk"

case "$NAME" in
    loop*)
        [ "$ALLOW_LOOP" = yes ] || fail "$DEVICE is a loop device, not a USB stick (tests pass --allow-loop)" ;;
    *)
        removable=$(cat "$SYS/block/$NAME/removable" 2>/dev/null || echo 0)
        [ "$removable" = 1 ] || fail "$DEVICE is not removable: it looks like an internal disk, so it is refused. A USB stick or card reader reports removable=1 in $SYS/block/$NAME/removable" ;;
esac

# In use? Mounted (the disk or any partition), swap, or held by dm/md.
partitions=$(cd "$SYS/block/$NAME" && ls -d "$NAME"* 2>/dev/null || true)
for part in "$NAME" $partitions; do
    if awk -v dev="/dev/$part" '$1 == dev { found = 1 } END { exit !found }' /proc/mounts; then
        where=$(awk -v dev="/dev/$part" '$1 == dev { print $2; exit }' /proc/mounts)
        case "$where" in
            /|/boot|/boot/efi|/usr|/home|/var) fail "$DEVICE holds the running system (/dev/$part is mounted on $where)" ;;
        esac
        fail "/dev/$part is mounted on $where: unmount it first (umount $where), then try again"
    fi
    if awk -v dev="/dev/$part" 'NR > 1 && $1 == dev { found = 1 } END { exit !found }' /proc/swaps; then
        fail "/dev/$part is in use as swap"
    fi
    holders=$(ls "$SYS/class/block/$part/holders" 2>/dev/null || true)
    [ -z "$holders" ] || fail "/dev/$part is in use by $holders (LVM, RAID or encryption)"
done

# The disk that holds / is never a target, whatever it reports.
root_source=$(awk '$2 == "/" { print $1 }' /proc/mounts | tail -1)
case "$root_source" in
    /dev/"$NAME"|/dev/"$NAME"[0-9]*|/dev/"$NAME"p[0-9]*) fail "$DEVICE holds the running system (/)" ;;
esac

SECTOR_BYTES=512     # /sys/block/NAME/size counts 512-byte sectors, whatever the disk's own
sectors=$(cat "$SYS/block/$NAME/size")
device_bytes=$((sectors * SECTOR_BYTES))
image_bytes=$(stat -c %s "$IMAGE")
[ "$device_bytes" -gt 0 ] || fail "$DEVICE has size 0: is there a card in the reader?"
[ "$image_bytes" -le "$device_bytes" ] || \
    fail "$IMAGE is $image_bytes bytes, more than the $device_bytes bytes of $DEVICE"

model=$(cat "$SYS/block/$NAME/device/model" 2>/dev/null | sed 's/ *$//' || true)
vendor=$(cat "$SYS/block/$NAME/device/vendor" 2>/dev/null | sed 's/ *$//' || true)
[ -n "$model$vendor" ] || model="(no model reported)"
MIB=1048576
echo "Device: $DEVICE  $vendor $model, $((device_bytes / MIB)) MiB ($device_bytes bytes)"
echo "Image:  $IMAGE, $image_bytes bytes"
echo "Everything on $DEVICE will be lost."
printf 'Type yes to write it: '
read -r answer || answer=
[ "$answer" = yes ] || fail "you answered '${answer}', not yes"

dd if="$IMAGE" of="$DEVICE" bs=1M conv=fsync status=none || fail "dd could not write $DEVICE"
sync
echo "usb: wrote $image_bytes bytes to $DEVICE. Remove it, and boot the machine from it."
