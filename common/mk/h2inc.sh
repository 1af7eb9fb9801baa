#!/bin/sh
# h2inc.sh HEADER PREFIX: a NASM include with every object-like macro of a C
# header whose name starts with PREFIX, so C and assembly share one definition
# (common/include/multiboot2.h -> build/include/multiboot2.inc).
# The C preprocessor reads the header (comments, continuations and all); only
# the macros it defines that start with PREFIX are kept.
set -eu
header=$1 prefix=$2
echo "; Generated from $(basename "$header") by common/mk/h2inc.sh: edit the header, not this file."
${CC:-gcc} -E -dM -D__ASSEMBLER__ -x c "$header" |
    grep "^#define ${prefix}[A-Za-z0-9_]* " |
    sed 's/^#define /%define /' | sort
