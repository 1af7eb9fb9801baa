# Rules for chapters that boot through the BIOS from a 16-bit boot sector.
#
# A chapter lists its floppy images in IMAGES (build/NAME.floppy.img); for each
# NAME there is NAME.asm (NASM) or NAME.S (GNU as) in the chapter, and the build makes
#   build/NAME.o    the object, with DWARF debug info
#   build/NAME.elf  the ELF twin, linked at 0x7C00 with symbols, for gdb
#   build/NAME.bin  the 512 raw bytes the BIOS loads (objcopy of the ELF)
#   build/NAME.lst  the assembler listing; build/NAME.dis the disassembly
# The size of each sector's code is checked against BOOT_BUDGET (510 bytes,
# or 440 when a disk signature and a partition table must fit) before linking.

BOOT_BUDGET ?= 510
BENCH_BOCHS ?= yes
MK_DIR      := $(dir $(lastword $(MAKEFILE_LIST)))
BOOT_LD     := $(MK_DIR)boot_sector.ld
BUDGET_CHECK := $(MK_DIR)sector_budget.sh

# chapter.mk once, even when kernel.mk brought it in already (ch05: kernel.mk,
# then loader.mk, which includes this file).
ifeq ($(filter %/chapter.mk,$(MAKEFILE_LIST)),)
include $(MK_DIR)chapter.mk
endif

# make debug loads symbols from the ELF twin of the image it boots.
DEBUG_SYMBOLS ?= $(patsubst %.floppy.img,%.elf,$(RUN_IMAGE))

# Sources are the chapter's own; tests/ holds sources that exist only to be tested
# (a sector that is too big, a deliberate fault).
vpath %.asm . tests
vpath %.S . tests

# NASM 2.16 and 2.16.01 (Debian 12's) leave %include files out of what -MD
# writes (fixed in 2.16.02), so every object also depends on every include of
# the chapter and of the chapters it builds on (ASM_INCLUDES, builds_on.mk):
# a change to print16.inc rebuilds what may use it.

$(BUILD)/%.o: %.asm $(ASM_INCLUDES) $(FLAGS_FILE) | $(BUILD)
	$(NASM) -f elf32 -g -F dwarf $(NASMFLAGS_WARN) $(NASMFLAGS_INC) $(NASMFLAGS) \
	    -MD $(BUILD)/$*.d -l $(BUILD)/$*.lst -o $@ $<

$(BUILD)/%.o: %.S $(FLAGS_FILE) | $(BUILD)
	$(AS) --32 -g $(ASFLAGS_DEFS) $(ASFLAGS) --fatal-warnings -al=$(BUILD)/$*.lst -o $@ $<

# The budget line is also kept in build/NAME.budget, for make lab to read
# without building the sector again.
$(BUILD)/%.elf: $(BUILD)/%.o $(BOOT_LD) $(FLAGS_FILE)
	@$(BUDGET_CHECK) $< $(BOOT_BUDGET) > $(@:.elf=.budget) || { rm -f $(@:.elf=.budget); exit 1; }
	@cat $(@:.elf=.budget)
	$(LD) -m elf_i386 --fatal-warnings -T $(BOOT_LD) --defsym=BOOT_BUDGET=$(BOOT_BUDGET) -o $@ $<
	@$(OBJDUMP) -d -S -M intel,i8086 $@ > $(BUILD)/$*.dis

$(BUILD)/%.bin: $(BUILD)/%.elf
	$(OBJCOPY) -O binary $< $@

# A 1.44 MB floppy: the boot sector, then zeros up to the size Bochs insists on.
FLOPPY_BYTES := 1474560
$(BUILD)/%.floppy.img: $(BUILD)/%.bin
	cp $< $@
	truncate -s $(FLOPPY_BYTES) $@

-include $(wildcard $(BUILD)/*.d)
