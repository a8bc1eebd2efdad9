/* fuzz_process.c - libFuzzer target for the processed crash: any bytes read
 * as a minidump, its crash reason and crash address analysis (capstone on
 * whatever bytes sit at the instruction pointer), every thread walked
 * without symbols, then the JSON (as a tree, and as the text proc_text
 * writes a thread at a time: the two must agree byte for byte) and the human
 * report made, as `minidump-stackwalk` makes them, and the TUI's disassembly of frames. Seeds: ../shared/corpus/dumps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../src/minidump/minidump.h"
#include "../../src/process/process.h"
#include "../../src/unwind/unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proc_crash c;
	memset(&c, 0, sizeof c);
	cd_err e;
	if (md_open_mem(data, size, "fuzz.dmp", &c.dump, &e) != CD_OK)
		return 0;
	const md_dump *d = c.dump;
	proc_crash_reason(d, &c.reason);
	proc_analyze(d, &c.reason, &c.analysis);
	c.crashing_thread = -1;
	c.stacks = calloc(d->nthreads ? d->nthreads : 1, sizeof *c.stacks);
	for (uint32_t i = 0; c.stacks && i < d->nthreads; i++) {
		const md_thread *t = &d->threads[i];
		int crashed = c.reason.has_exception && t->id == d->exception.thread_id;
		if (crashed)
			c.crashing_thread = (int)i;
		const md_context *ctx = crashed && d->exception.has_context ? &d->exception.context
									    : &t->context;
		if (t->has_context || ctx != &t->context)
			walk_thread(d, t, ctx, NULL, NULL, &c.stacks[i], &e);
	}
	if (c.stacks) {
		json_t *j = proc_json(d, c.stacks, NULL, NULL, NULL, &c.analysis);
		char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		/* The text written a thread at a time is the tree's, byte for byte. */
		cd_buf b;
		cd_buf_init(&b, 0);
		if (text && proc_text(d, c.stacks, NULL, NULL, NULL, &c.analysis, &b) == CD_OK &&
		    (b.len != strlen(text) || memcmp(b.data, text, b.len)))
			abort();
		cd_buf_free(&b);
		free(text);
		json_decref(j);
		FILE *f = fopen("/dev/null", "w");
		if (f) {
			proc_crash_human(&c, 0, f);
			fclose(f);
		}
		/* The disassembly pane's listing of every frame, as a crash
		 * address and as a return address. */
		for (uint32_t i = 0; i < d->nthreads; i++)
			for (uint32_t k = 0; k < c.stacks[i].nframes && k < 4; k++) {
				proc_insn ins[16];
				int n, at;
				uint64_t pc = md_context_pc(&c.stacks[i].frames[k].regs);
				proc_disassemble(d, pc, k > 0, 8, 8, ins, 16, &n, &at);
			}
		for (uint32_t i = 0; i < d->nthreads; i++)
			walk_stack_free(&c.stacks[i]);
	}
	free(c.stacks);
	proc_analysis_free(&c.analysis);
	md_close(c.dump);
	return 0;
}
