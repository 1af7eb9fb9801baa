#!/bin/sh
# payload_sectors.sh PAYLOAD.bin LOAD_ADDRESS LOAD_LIMIT
# Print how many sectors stage 1 must load for PAYLOAD.bin: its size, rounded
# up to whole sectors. Fail, saying by how much, when that is more than fits in
# memory between LOAD_ADDRESS and LOAD_LIMIT. (On a hard disk the payload must
# also end before the first partition: install_mbr.sh checks that.)
# The count goes to stdout (the build keeps it in PAYLOAD.sectors), the report to stderr.
set -eu
payload=$1 load_address=$(($2)) load_limit=$(($3))
sector_bytes=512
name=$(basename "$payload")
bytes=$(wc -c < "$payload")
sectors=$(( (bytes + sector_bytes - 1) / sector_bytes ))
max=$(( (load_limit - load_address) / sector_bytes ))
if [ "$sectors" -eq 0 ]; then
    echo "error: $name is empty: stage 1 would have nothing to load" >&2
    exit 1
fi
if [ "$sectors" -gt "$max" ]; then
    printf 'error: %s is %d bytes = %d sectors, %d over the %d sectors stage 1 can load to 0x%X-0x%X\n' \
        "$name" "$bytes" "$sectors" $((sectors - max)) "$max" "$load_address" $((load_limit - 1)) >&2
    exit 1
fi
echo "$name: $bytes bytes = $sectors sectors for stage 1 to load (at most $max)" >&2
echo "$sectors"
