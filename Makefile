# bootcamp: an operating-systems course you can boot.
#
#   make run          pick a chapter and boot it in QEMU   (make run CH=2: chapter 2)
#   make test         every chapter's tests, then one summary line
#   make doctor       check (and as root, install) the tools the course needs
#   make bench        how fast each chapter builds, boots and tests
#   make lab CH=3     a lab: a handout without the solutions, and its grader (TEACHING.md)
#   make grade        score the lab parts (in a handout: its own)
#   make grade-all SUBMISSIONS=DIR   grade every learner's submission of a lab
#   make fuzz         fuzz the parsers on this machine (FUZZ_SECONDS per target)
#   make help         more
#
# Every chapter is also a course of its own: make -C ch02-hello test

include common/mk/tools.mk

CHAPTERS := $(shell $(HARNESS) -m bootcamp.course chapters)
# CH=2 or CH=02 names chapter 2.
chapter_of = $(firstword $(filter ch$(if $(filter 1 2 3 4 5 6 7 8 9,$(1)),0)$(1)-%,$(CHAPTERS)))

.DEFAULT_GOAL := help
.PHONY: all run test doctor bench fuzz clean help lab grade grade-all

all:
	@$(DOCTOR) --quiet
	@for ch in $(CHAPTERS); do $(MAKE) --no-print-directory -C $$ch all || exit 1; done

run:
	@$(DOCTOR) --quiet
	@# The picker asks on the terminal (stderr) and prints only the folder name.
	@ch="$(if $(CH),$(call chapter_of,$(CH)),$$($(HARNESS) -m bootcamp.course pick))" || exit 1; \
	 test -n "$$ch" || { echo "no chapter $(CH); chapters: $(CHAPTERS)" >&2; exit 1; }; \
	 $(MAKE) --no-print-directory -C $$ch run

test:
	@$(DOCTOR) --quiet
	@$(HARNESS) -m bootcamp.course test $(if $(CH),$(call chapter_of,$(CH)))

doctor:
	@$(DOCTOR)

bench:
	@$(DOCTOR) --quiet
	@$(HARNESS) -m bootcamp.bench $(if $(CH),$(call chapter_of,$(CH)),$(CHAPTERS))

# Labs (TEACHING.md). make lab CH=3 [PARTS=lba_to_chs,retry] [LAB=DIR]
# writes DIR/handout and DIR/grader (default build/lab/<chapter>).
lab:
	@test -n "$(CH)" || { echo "make lab CH=N: which chapter (or chapters: CH=\"2 3\")" >&2; exit 1; }
	@$(HARNESS) -m bootcamp.lab make $(CH) $(if $(PARTS),--parts $(PARTS)) $(if $(LAB),--out $(LAB))

grade:
	@$(DOCTOR) --quiet
	@$(HARNESS) -m bootcamp.grade $(CH)

# make grade-all SUBMISSIONS=DIR [LAB=build/lab/<chapter>] [OUT=DIR]
grade-all:
	@test -n "$(SUBMISSIONS)" || { echo "make grade-all SUBMISSIONS=DIR: a folder per learner" >&2; exit 1; }
	@$(HARNESS) -m bootcamp.grade_all --submissions $(SUBMISSIONS) $(if $(LAB),--lab $(LAB)) \
	    $(if $(OUT),--out $(OUT))

# Every folder with tests/fuzz/targets.mk (common/mk/fuzz.mk); all of them run
# even when one finds something, and the status says whether any did.
fuzz:
	@$(DOCTOR) --quiet
	@status=0; for dir in $(CHAPTERS) common; do \
	    if [ -f $$dir/tests/fuzz/targets.mk ]; then \
	        $(MAKE) --no-print-directory -C $$dir fuzz || status=1; \
	    fi; \
	done; exit $$status

clean:
	@for ch in $(CHAPTERS) common; do $(MAKE) --no-print-directory -C $$ch clean; done

help:
	@echo "bootcamp -- chapters: $(CHAPTERS)"
	@echo
	@echo "make run [CH=N]    boot a chapter in QEMU (asks which, or CH=2)"
	@echo "make test [CH=N]   run the tests of every chapter and of common/ (or of one chapter)"
	@echo "make doctor        check the tools; as root, install what is missing"
	@echo "make bench [CH=N]  measure build, boot and test times"
	@echo "make fuzz          fuzz the parsers (FUZZ_SECONDS=60 per target and build)"
	@echo "make all           build every chapter"
	@echo "make lab CH=N      a handout and its grader for chapter N's lab parts"
	@echo "make grade         score the lab parts (one line each, Score: X/Y)"
	@echo "make grade-all SUBMISSIONS=DIR   grade a folder of submissions into a CSV"
	@echo "make clean         remove every build/ folder"
	@echo
	@echo "In a chapter folder: make, make run, make run-bochs, make debug, make test,"
	@echo "make print-image, make help (which also shows the QEMU command it uses)."
