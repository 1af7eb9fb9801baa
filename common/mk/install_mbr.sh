#!/bin/sh
# install_mbr.sh DISK.img STAGE1.bin PAYLOAD.bin
# Install the MBR loader and its payload on a partitioned disk image, keeping
# what identifies the disk and its partitions:
#   bytes 0-439 of sector 0   <- the code of STAGE1.bin (its first 440 bytes)
#   bytes 440-443             the disk signature: not written. sfdisk shows it as
#                             "Disk identifier"; Linux builds every PARTUUID from
#                             it (root=PARTUUID=..., fstab), Windows finds its
#                             disks by it. Overwriting it renames every partition.
#   bytes 444-445             not written: 0, or 5A 5A when the disk is marked
#                             copy-protected; nobody but the partitioner writes them
#   bytes 446-509             the four partition entries: not written
#   bytes 510-511             55 AA (sfdisk wrote them; so does STAGE1.bin)
#   sectors 1 ..              <- PAYLOAD.bin
# It refuses when the payload would overwrite the first partition.
set -eu
disk=$1 stage1=$2 payload=$3
sector_bytes=512
code_bytes=440                  # the boot code area of an MBR (loader.mk's BOOT_BUDGET)
table=446                       # offset of partition entry 1; each is 16 bytes
entry_bytes=16
entry_type=4                    # offsets inside an entry: the type byte ...
entry_start=8                   # ... and the first sector (LBA, 32-bit little-endian)

# The lowest start of a used entry (type != 0): where the payload must stop.
first=""
for i in 0 1 2 3; do
    at=$((table + i * entry_bytes))
    type=$(od -An -tu1 -j $((at + entry_type)) -N1 "$disk" | tr -d ' ')
    [ "$type" = 0 ] && continue
    start=$(od -An -tu4 -j $((at + entry_start)) -N4 "$disk" | tr -d ' ')
    if [ -z "$first" ] || [ "$start" -lt "$first" ]; then first=$start; fi
done
sectors=$(( ($(wc -c < "$payload") + sector_bytes - 1) / sector_bytes ))
if [ -n "$first" ] && [ $((1 + sectors)) -gt "$first" ]; then
    echo "error: $(basename "$payload") ($sectors sectors from LBA 1) would overwrite the first partition at LBA $first" >&2
    exit 1
fi

dd if="$stage1" of="$disk" bs=$code_bytes count=1 conv=notrunc status=none
dd if="$stage1" of="$disk" bs=1 skip=510 seek=510 count=2 conv=notrunc status=none
dd if="$payload" of="$disk" bs=$sector_bytes seek=1 conv=notrunc status=none
