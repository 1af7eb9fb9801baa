#!/bin/sh
# sector_budget.sh OBJECT BUDGET
# Print how much of its budget a boot sector's code uses; fail, saying by how
# much, when it is over. The code is every section the BIOS would load.
set -eu
object=$1 budget=$2
used=$(size -A -d "$object" | awk '$1 ~ /^\.(text|data|rodata)/ { sum += $2 } END { print sum + 0 }')
name=$(basename "$object" .o)
if [ "$used" -gt "$budget" ]; then
    echo "error: $name: boot sector code is $used bytes, $((used - budget)) over its $budget-byte budget" >&2
    exit 1
fi
echo "$name: $used of $budget bytes used, $((budget - used)) free"
