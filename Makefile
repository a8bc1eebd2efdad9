# crashdesk - build, test, run.
#   make          build ./crashdesk
#   make run      install what is missing, build, open the sample crash in the TUI
#   make test     install what is missing, build and run every test
#   make check    the tests again under AddressSanitizer + UBSan
#   make fuzz     libFuzzer targets (clang) into build/fuzz/
#   make bench    benchmarks (none timed inside the tests)

CC      ?= cc
BUILD   ?= build
PKGS    := jansson zlib ncursesw sqlite3 yaml-0.1 libcurl libpcre2-8 capstone nettle
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
# snprintf truncation is always deliberate here; gcc warns about it anyway.
CFLAGS  += -std=c11 -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE -MMD -MP
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = $(CFLAGS) $(SAN) $(PKG_CFLAGS)
LDLIBS     += $(PKG_LIBS) -lpthread

LIB_SRC  := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
CLI_MAIN := src/cli/main.c
TEST_SRC := $(wildcard tests/test_*.c)
SYNTH_SRC := $(wildcard tests/synth/*.c)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
SYNTH_OBJ := $(SYNTH_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TOOLS    := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/mksample.c))

# The shipped views/*.yaml compiled in as the TUI's built-in defaults
# (src/tui/viewdef.c), so the files and the defaults cannot disagree.
# views/ itself is a prerequisite so that adding or removing a file regenerates.
VIEWS     := $(sort $(wildcard views/*.yaml))
VIEWS_GEN := $(BUILD)/gen/views_builtin.c
LIB_OBJ   += $(BUILD)/gen/views_builtin.o
# The annotation schema compiled in the same way (src/tui/schema.c).
SCHEMAS     := schemas/annotations.yaml
SCHEMAS_GEN := $(BUILD)/gen/schemas_builtin.c
LIB_OBJ     += $(BUILD)/gen/schemas_builtin.o

# The shipped signature lists (data/siglists/), built in likewise as the
# defaults of `crashdesk signature` (src/signature/lists.c); named, so a
# missing one stops the build.
SIGLISTS     := $(addprefix data/siglists/,irrelevant_signature_re.txt prefix_signature_re.txt \
	signatures_with_line_numbers_re.txt signature_sentinels.txt)
SIGLISTS_GEN := $(BUILD)/gen/siglists_builtin.c
LIB_OBJ      += $(BUILD)/gen/siglists_builtin.o

# crashdesk's own Crash Stats schemas, built in the same way
# (src/crashstats/schema.c reads cs__schema_builtins).
CS_SCHEMAS     := schemas/raw_crash.yaml schemas/processed_crash.yaml
CS_SCHEMAS_GEN := $(BUILD)/gen/cs_schemas_builtin.c
LIB_OBJ        += $(BUILD)/gen/cs_schemas_builtin.o

# Windows error names, for threads' last_error_value (rule below).
WINERR     := data/windows-errors.tsv
WINERR_GEN := $(BUILD)/gen/winerrors.c
LIB_OBJ    += $(BUILD)/gen/winerrors.o

.PHONY: all run test check fuzz bench deps deps-fuzz clean sample install
all: crashdesk

crashdesk: $(BUILD)/crashdesk
	cp $< $@
	ln -sf crashdesk minidump-stackwalk

# minidump-stackwalk is crashdesk under rust-minidump's name (src/cli/main.c):
# a link beside the binary, in the build tree and where it is installed.
$(BUILD)/minidump-stackwalk: $(BUILD)/crashdesk
	ln -sf crashdesk $@

PREFIX ?= /usr/local
install: $(BUILD)/crashdesk
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/crashdesk $(DESTDIR)$(PREFIX)/bin/crashdesk
	ln -sf crashdesk $(DESTDIR)$(PREFIX)/bin/minidump-stackwalk

$(BUILD)/crashdesk: $(BUILD)/src/cli/main.o $(BUILD)/libcrashdesk.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libcrashdesk.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The built-in views (see VIEWS above).
$(VIEWS_GEN): $(VIEWS) views src/util/embed.sh
	@mkdir -p $(dir $@)
	sh src/util/embed.sh $(VIEWS) >$@.tmp && mv $@.tmp $@
$(SIGLISTS_GEN): $(SIGLISTS) src/util/embed.sh
	@mkdir -p $(dir $@)
	sh src/util/embed.sh -s sig__builtins $(SIGLISTS) >$@.tmp && mv $@.tmp $@

# The built-in schemas (see SCHEMAS above).
$(SCHEMAS_GEN): $(SCHEMAS) schemas src/util/embed.sh
	@mkdir -p $(dir $@)
	sh src/util/embed.sh -s tui__schema_builtins $(SCHEMAS) >$@.tmp && mv $@.tmp $@
# The built-in Crash Stats schemas (see CS_SCHEMAS above).
$(CS_SCHEMAS_GEN): $(CS_SCHEMAS) src/util/embed.sh
	@mkdir -p $(dir $@)
	sh src/util/embed.sh -s cs__schema_builtins $(CS_SCHEMAS) >$@.tmp && mv $@.tmp $@

# Windows error names (data/windows-errors.tsv) as two sorted C tables for
# src/process/json.c's last_error_value.
$(WINERR_GEN): $(WINERR)
	@mkdir -p $(dir $@)
	awk -F'\t' 'BEGIN { print "/* generated from $(WINERR) by the Makefile */"; \
		print "#include \"../../src/process/process.h\"" } \
		/^WIN/ { w = w "\t{ " $$2 "u, \"" $$3 "\" },\n"; nw++ } \
		/^NT/ { n = n "\t{ " $$2 "u, \"" $$3 "\" },\n"; nn++ } \
		END { printf "const proc_code_name proc__win_errors[] = {\n%s};\n", w; \
		printf "const size_t proc__nwin_errors = %d;\n", nw; \
		printf "const proc_code_name proc__nt_statuses[] = {\n%s};\n", n; \
		printf "const size_t proc__nnt_statuses = %d;\n", nn }' $< >$@.tmp && mv $@.tmp $@

# embed.sh's tables are of util.h's cd_embed.
GEN_OBJ := $(addprefix $(BUILD)/gen/,views_builtin.o schemas_builtin.o siglists_builtin.o \
	cs_schemas_builtin.o winerrors.o)
$(GEN_OBJ): $(BUILD)/gen/%.o: $(BUILD)/gen/%.c src/util/util.h
	$(CC) $(ALL_CFLAGS) -Isrc/util -c -o $@ $<

$(BUILD)/tests/bench/%: tests/bench/%.c $(BUILD)/libcrashdesk.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libcrashdesk.a $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(SYNTH_OBJ) $(BUILD)/libcrashdesk.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(SYNTH_OBJ) $(BUILD)/libcrashdesk.a $(LDLIBS)

deps:
	@./.ci/deps.sh

deps-fuzz:
	@./.ci/deps.sh --fuzz

# The sample crash: a synthetic minidump made by the project's own writer.
sample: $(TOOLS)
	@mkdir -p data/samples
	$(BUILD)/tests/mksample data/samples

run: deps
	@$(MAKE) --no-print-directory crashdesk sample
	./crashdesk open --symbols-path data/samples/symbols data/samples/sample.dmp

# The fuzz targets are compiled (not linked: that needs clang's libFuzzer)
# with every test run, so an API change cannot leave them broken unseen.
FUZZ_OBJ := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzzcheck/%.o,$(wildcard tests/fuzz/fuzz_*.c))
$(BUILD)/fuzzcheck/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

test: deps
	@$(MAKE) --no-print-directory $(BUILD)/crashdesk $(BUILD)/minidump-stackwalk $(TEST_BIN) $(TOOLS) $(FUZZ_OBJ)
	@$(MAKE) --no-print-directory sample >/dev/null
	@./tests/run.sh $(BUILD)

# AddressSanitizer and LeakSanitizer reports are written under
# build/check/sanitizer/, and tests/run.sh fails on any: a report from a
# command whose exit status a shell test does not look at (a leak on a
# first-time path, say) still counts. UBSan's reports go to stderr and end
# the command (GCC's libubsan does not honour log_path here).
check: deps
	@rm -rf build/check/sanitizer && mkdir -p build/check/sanitizer
	@CRASHDESK_SANITIZER_LOGS=$(CURDIR)/build/check/sanitizer \
	ASAN_OPTIONS=log_path=$(CURDIR)/build/check/sanitizer/asan:detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1 \
	$(MAKE) --no-print-directory test BUILD=build/check OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
fuzz: deps-fuzz
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

# Fuzz targets link the library stages, not the command line.
FUZZ_LIB := $(filter-out src/cli/%,$(LIB_SRC))
FUZZ_LIB += build/gen/views_builtin.c build/gen/schemas_builtin.c build/gen/siglists_builtin.c build/gen/cs_schemas_builtin.c build/gen/winerrors.c
build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		-Isrc/util $(PKG_CFLAGS) -o $@ $< $(FUZZ_LIB) $(PKG_LIBS) -lpthread

bench: deps
	@./.ci/deps.sh --bench
	@$(MAKE) --no-print-directory $(BUILD)/crashdesk $(BUILD)/tests/bench/bench_lookup
	@./tests/bench/symbols.sh
	@./tests/bench/walk.sh
	@./tests/bench/tui.sh
	@./tests/bench/symserver.sh
	@./tests/bench/signature.sh

clean:
	rm -rf build crashdesk minidump-stackwalk

# The synthetic writer is shared by every test: keep its objects.
.SECONDARY: $(SYNTH_OBJ)

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/cli/main.d $(SYNTH_OBJ:.o=.d)
