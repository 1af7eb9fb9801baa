#!/bin/sh
# payload_sectors.sh PAYLOAD.bin LOAD_ADDRESS LOAD_LIMIT FIRST_PARTITION_LBA
# Print how many sectors stage 1 must load for PAYLOAD.bin (its size, rounded
# up to whole sectors). Fail, saying by how much, when the payload is more than
# stage 1 can load: it must fit in memory between LOAD_ADDRESS and LOAD_LIMIT,
# and on a hard disk between the MBR and the first partition.
# The count goes to stdout (the build keeps it in PAYLOAD.sectors); the report to stderr.
set -eu
payload=$1 load_address=$(($2)) load_limit=$(($3)) first_partition=$(($4))
sector_bytes=512
bytes=$(wc -c < "$payload")
sectors=$(( (bytes + sector_bytes - 1) / sector_bytes ))
memory_max=$(( (load_limit - load_address) / sector_bytes ))
gap_max=$(( first_partition - 1 ))
if [ "$memory_max" -lt "$gap_max" ]; then
    max=$memory_max why=$(printf 'memory 0x%X-0x%X' "$load_address" $((load_limit - 1)))
else
    max=$gap_max why="the sectors between the MBR and the first partition (LBA $first_partition)"
fi
name=$(basename "$payload")
if [ "$sectors" -eq 0 ]; then
    echo "error: $name is empty: stage 1 has nothing to load" >&2
    exit 1
fi
if [ "$sectors" -gt "$max" ]; then
    echo "error: $name is $bytes bytes = $sectors sectors, $((sectors - max)) over the $max sectors stage 1 can load ($why)" >&2
    exit 1
fi
echo "$name: $bytes bytes = $sectors sectors for stage 1 to load (at most $max)" >&2
echo "$sectors"
