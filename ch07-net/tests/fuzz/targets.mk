# ch07's fuzz targets, for the course's fuzz rules (common/mk/fuzz.mk, make fuzz).
# Each NAME is tests/fuzz/fuzz_NAME.c, which defines LLVMFuzzerTestOneInput,
# built with NAME_SOURCES (paths relative to ch07-net) and NAME_CFLAGS; its
# kept inputs (seeds, and every input that once failed) are corpus/NAME/.
# tests/test_fuzz_corpus.py reads this file too, to replay the corpus in make test.

FUZZ_CH07_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../..)

FUZZ_TARGETS += http_request http_response http_chunked http_url

http_request_SOURCES  := http_parse.c text.c
http_request_CFLAGS   := -I$(FUZZ_CH07_DIR)
http_response_SOURCES := http_parse.c text.c
http_response_CFLAGS  := -I$(FUZZ_CH07_DIR)
http_chunked_SOURCES  := http_parse.c text.c
http_chunked_CFLAGS   := -I$(FUZZ_CH07_DIR)
http_url_SOURCES      := http_parse.c text.c
http_url_CFLAGS       := -I$(FUZZ_CH07_DIR)
