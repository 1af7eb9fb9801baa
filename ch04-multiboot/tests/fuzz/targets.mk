# The Multiboot2 walk, as the kernel runs it (multiboot_walk.c), printing
# through the course's printf. Built for i386 as well: the kernel is 32-bit,
# and there pointer sums wrap at 4 GiB.
FUZZ_TARGETS               += multiboot_walk
multiboot_walk_SOURCES     := multiboot_walk.c $(COMMON)/lib/format.c
multiboot_walk_CFLAGS      := -Dsnprintf=bootcamp_snprintf
multiboot_walk_ARCHES      := 64 32
