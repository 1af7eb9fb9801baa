# Rules for chapters that boot through the MBR loader of ch03 (stage1.asm):
# stage 1 + a chapter's payload -> a 1.44 MB floppy and a partitioned hard disk.
#
# A chapter sets, then includes this file:
#   PAYLOAD          the payload's name                               (default: payload)
#   PAYLOAD_ENTRY    the .asm file stage 1 jumps into, first in the link
#                                                                     (default: PAYLOAD.asm)
#   PAYLOAD_OBJECTS  (optional) more objects, linked after the entry (ch05: the kernel's)
#   PAYLOAD_LD       (optional) the linker script (default: common/mk/payload.ld,
#                    16-bit code in a 32-bit ELF file)
#   LOAD_ADDRESS     where stage 1 loads it and jumps                 (default: 0x8000)
#   IMAGES           which of the images below `make` builds
#   STAGE1_FLAGS_V   (optional) NASM flags of a stage 1 variant V, e.g.
#                    STAGE1_FLAGS_chs := -DDISK_FORCE_CHS
#   PAYLOAD_VARIANTS (optional) names V of test builds of the payload: the same
#                    objects, with the entry assembled with PAYLOAD_FLAGS_V added
#                    (ch05: PAYLOAD_FLAGS_a20_off := -DTEST_A20_OFF); for each V
#                    these rules add build/V.elf and V.bin, build/V.sectors,
#                    build/stage1_V.bin (stage 1 sized for V) and build/V.floppy.img
# A chapter whose payload holds a kernel (ch05) includes kernel.mk first: the
# payload is then assembled and linked as the kernel is (KERNEL_ARCH: 64-bit
# objects for x86_64), its entry's object beside the kernel's in build/ARCH/.
# The chapter gets:
#   build/PAYLOAD.elf     the payload linked at LOAD_ADDRESS by PAYLOAD_LD, with its
#                         .map and .dis, and the entry's .lst; build/PAYLOAD.bin its raw bytes
#   build/PAYLOAD.sectors its size in sectors: checked, then passed to stage 1
#   build/stage1.bin      the loader for this payload (and .elf .lst .dis)
#   build/PAYLOAD.floppy.img  sector 0 stage 1, sectors 1.. the payload, 1.44 MB
#   build/PAYLOAD.hd.img      an MBR partition table made by sfdisk (one
#                         partition from LBA HD_PARTITION_START, disk identifier
#                         HD_DISK_ID), stage 1 installed
#                         around it by install_mbr.sh, the payload from LBA 1
#   build/stage1-V.bin, build/PAYLOAD-V.floppy.img, build/PAYLOAD-V.hd.img: the same
#                         with the stage 1 variant V
#
# stage1.asm is chapter 3's lesson: ch03 builds it from its own folder, a later
# chapter through BUILDS_ON := ch02-hello ch03-disk-load (stage 1 includes
# ch02's print16.inc). Its contract (what it loads, where, and the state at
# the jump) is in its header.

PAYLOAD      ?= payload
LOAD_ADDRESS ?= 0x8000
# Conventional memory above 0x80000 may hold the extended BIOS data area (its
# size is int 0x12's business); below it, the first 512 KiB are all RAM.
LOAD_LIMIT   := 0x80000
# 440 bytes of code: the disk signature takes bytes 440-445 of the MBR (kept
# by install_mbr.sh, as every partitioning tool keeps it), the partition table
# bytes 446-509.
BOOT_BUDGET  := 440

# The hard disk: 8 cylinders of 16 heads x 63 sectors (4,128,768 bytes). A
# size that is a whole number of 16 x 63 cylinders is what Bochs infers a
# geometry from. The partition starts at 1 MiB, as partitioning tools do by
# default; the payload lives in the gap before it.
HD_CYLINDERS       := 8
HD_HEADS           := 16
HD_SECTORS_PER_TRACK := 63
HD_SECTORS         := $(shell echo $$(( $(HD_CYLINDERS) * $(HD_HEADS) * $(HD_SECTORS_PER_TRACK) )))
HD_PARTITION_START := 2048
# Type 83, "Linux": any type would do, nothing here reads the partition.
HD_PARTITION_TYPE  := 83
# The disk signature (bytes 440-443), which sfdisk would otherwise draw at
# random: fixed, so that every build of the image is the same, byte for byte.
HD_DISK_ID         := 0xb007ca3d
# Debian keeps sfdisk in /sbin, which is not on a user's PATH.
SFDISK             ?= $(firstword $(wildcard /usr/sbin/sfdisk /sbin/sfdisk) sfdisk)

include $(dir $(lastword $(MAKEFILE_LIST)))bios.mk

LOADER_MK       := $(COMMON)/mk
PAYLOAD_ENTRY   ?= $(PAYLOAD).asm
PAYLOAD_LD      ?= $(LOADER_MK)/payload.ld
SECTOR_BYTES    := 512

# Every asm file of the chapter knows where it runs (one source of truth).
NASMFLAGS += -DLOAD_ADDRESS=$(LOAD_ADDRESS) -DLOAD_LIMIT=$(LOAD_LIMIT)

# How the payload is assembled, linked and disassembled: as a 16-bit payload
# (bios.mk's flags), or as the kernel it holds (kernel.mk's; objdump then reads
# the file as 64-bit code, stage 2's 16-bit start included).
ifneq ($(filter %/kernel.mk,$(MAKEFILE_LIST)),)
PAYLOAD_OBJ          := $(OBJ)
PAYLOAD_NASMFLAGS     = $(KERNEL_NASMFLAGS)
PAYLOAD_LDFLAGS       = $(KERNEL_LDFLAGS)
PAYLOAD_DISASSEMBLY  := intel
else
PAYLOAD_OBJ          := $(BUILD)
PAYLOAD_NASMFLAGS     = -f elf32 -g -F dwarf $(NASMFLAGS_WARN) $(NASMFLAGS_INC) $(NASMFLAGS)
PAYLOAD_LDFLAGS       = -m elf_i386 --fatal-warnings
PAYLOAD_DISASSEMBLY  := intel,i8086
endif
PAYLOAD_ENTRY_NAME   := $(basename $(notdir $(PAYLOAD_ENTRY)))

# The payload NAME ($(1)): its entry's object $(2), assembled with the flags
# PAYLOAD_FLAGS_NAME (a variant's), then PAYLOAD_OBJECTS, linked at LOAD_ADDRESS.
# NASM 2.16.01 leaves %include files out of -MD (see bios.mk): ASM_INCLUDES.
define payload_rules
$(2): $(PAYLOAD_ENTRY) $(ASM_INCLUDES) $(GENERATED_INCLUDES) $(FLAGS_FILE) | $(BUILD)
	@mkdir -p $$(@D)
	$$(NASM) $$(PAYLOAD_NASMFLAGS) $$(PAYLOAD_FLAGS_$(1)) -MD $$(@:.o=.d) -l $$(@:.o=.lst) -o $$@ $$<

$(BUILD)/$(1).elf: $(2) $(PAYLOAD_OBJECTS) $(PAYLOAD_LD) $(FLAGS_FILE)
	$$(LD) $$(PAYLOAD_LDFLAGS) -T $$(PAYLOAD_LD) --defsym=LOAD_ADDRESS=$$(LOAD_ADDRESS) \
	    --defsym=LOAD_LIMIT=$$(LOAD_LIMIT) -Map $$(@:.elf=.map) -o $$@ $$(filter %.o,$$^)
	@$$(OBJDUMP) -d -S -M $$(PAYLOAD_DISASSEMBLY) $$@ > $$(@:.elf=.dis) 2> $$(@:.elf=.dis.log)
endef
$(eval $(call payload_rules,$(PAYLOAD),$(PAYLOAD_OBJ)/$(PAYLOAD_ENTRY_NAME).o))

# How many sectors stage 1 loads: from the payload's size, never typed by hand.
$(BUILD)/$(PAYLOAD).sectors: $(BUILD)/$(PAYLOAD).bin $(LOADER_MK)/payload_sectors.sh
	@$(LOADER_MK)/payload_sectors.sh $< $(LOAD_ADDRESS) $(LOAD_LIMIT) > $@.tmp || { rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

# Dependency files (.d) are made by NASM, never by make: without this empty
# rule make would try to remake build/stage1-V.d from build/stage1-V.d.o.
$(BUILD)/%.d: ;

# Stage 1, assembled for this payload; stage1-V adds STAGE1_FLAGS_V.
STAGE1_NASM = $(NASM) -f elf32 -g -F dwarf $(NASMFLAGS_WARN) $(NASMFLAGS_INC) $(NASMFLAGS) \
    -DPAYLOAD_SECTORS=$(file <$(BUILD)/$(PAYLOAD).sectors)

$(BUILD)/stage1.o: stage1.asm $(BUILD)/$(PAYLOAD).sectors $(ASM_INCLUDES) $(FLAGS_FILE) | $(BUILD)
	$(STAGE1_NASM) -MD $(BUILD)/stage1.d -l $(BUILD)/stage1.lst -o $@ $<

$(BUILD)/stage1-%.o: stage1.asm $(BUILD)/$(PAYLOAD).sectors $(ASM_INCLUDES) $(FLAGS_FILE) | $(BUILD)
	$(STAGE1_NASM) $(STAGE1_FLAGS_$*) -MD $(BUILD)/stage1-$*.d -l $(BUILD)/stage1-$*.lst -o $@ $<

# Images. $(1) is the stage 1 binary.
define floppy_image
	dd if=$(1) of=$@.tmp bs=$(SECTOR_BYTES) count=1 status=none
	dd if=$(BUILD)/$(PAYLOAD).bin of=$@.tmp bs=$(SECTOR_BYTES) seek=1 conv=notrunc status=none
	truncate -s $(FLOPPY_BYTES) $@.tmp
	@mv $@.tmp $@
	@echo "$@: $(FLOPPY_BYTES) bytes: stage 1 in sector 0, $(file <$(BUILD)/$(PAYLOAD).sectors) payload sectors from sector 1"
endef

define hd_image
	@rm -f $@.tmp
	truncate -s $$(( $(HD_SECTORS) * $(SECTOR_BYTES) )) $@.tmp
	printf 'label: dos\nlabel-id: %s\nstart=%s, type=%s, bootable\n' $(HD_DISK_ID) \
	    $(HD_PARTITION_START) $(HD_PARTITION_TYPE) \
	    | $(SFDISK) --quiet --no-reread --no-tell-kernel $@.tmp
	$(LOADER_MK)/install_mbr.sh $@.tmp $(1) $(BUILD)/$(PAYLOAD).bin
	@mv $@.tmp $@
	@echo "$@: $$(( $(HD_SECTORS) * $(SECTOR_BYTES) )) bytes: stage 1, disk identifier $(HD_DISK_ID) and a partition table in sector 0, $(file <$(BUILD)/$(PAYLOAD).sectors) payload sectors from sector 1, a partition from sector $(HD_PARTITION_START)"
endef

$(BUILD)/$(PAYLOAD).floppy.img: $(BUILD)/stage1.bin $(BUILD)/$(PAYLOAD).bin $(BUILD)/$(PAYLOAD).sectors \
    $(FLAGS_FILE)
	$(call floppy_image,$<)

$(BUILD)/$(PAYLOAD)-%.floppy.img: $(BUILD)/stage1-%.bin $(BUILD)/$(PAYLOAD).bin $(BUILD)/$(PAYLOAD).sectors \
    $(FLAGS_FILE)
	$(call floppy_image,$<)

$(BUILD)/$(PAYLOAD).hd.img: $(BUILD)/stage1.bin $(BUILD)/$(PAYLOAD).bin $(BUILD)/$(PAYLOAD).sectors \
    $(LOADER_MK)/install_mbr.sh $(LOADER_MK)/loader.mk $(FLAGS_FILE)
	$(call hd_image,$<)

# Payload variants: the same steps, with PAYLOAD set to the variant's name for
# the variant's own targets (make's target-specific variables; private, so
# that what they need, build/flags.txt among it, is made as for any target).
define payload_variant_rules
$(call payload_rules,$(1),$(PAYLOAD_OBJ)/$(PAYLOAD_ENTRY_NAME)_$(1).o)
$(BUILD)/$(1).sectors $(BUILD)/stage1_$(1).o $(BUILD)/$(1).floppy.img: private PAYLOAD := $(1)
$(BUILD)/$(1).sectors: $(BUILD)/$(1).bin $(LOADER_MK)/payload_sectors.sh
	@$(LOADER_MK)/payload_sectors.sh $$< $(LOAD_ADDRESS) $(LOAD_LIMIT) > $$@.tmp || { rm -f $$@.tmp; exit 1; }
	@mv $$@.tmp $$@
$(BUILD)/stage1_$(1).o: stage1.asm $(BUILD)/$(1).sectors $(ASM_INCLUDES) $(FLAGS_FILE) | $(BUILD)
	$$(STAGE1_NASM) -MD $$(@:.o=.d) -l $$(@:.o=.lst) -o $$@ $$<
$(BUILD)/$(1).floppy.img: $(BUILD)/stage1_$(1).bin $(BUILD)/$(1).bin $(BUILD)/$(1).sectors
	$$(call floppy_image,$$<)
endef
$(foreach v,$(PAYLOAD_VARIANTS),$(eval $(call payload_variant_rules,$(v))))

$(BUILD)/$(PAYLOAD)-%.hd.img: $(BUILD)/stage1-%.bin $(BUILD)/$(PAYLOAD).bin $(BUILD)/$(PAYLOAD).sectors \
    $(LOADER_MK)/install_mbr.sh $(LOADER_MK)/loader.mk $(FLAGS_FILE)
	$(call hd_image,$<)
