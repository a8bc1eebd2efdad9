/* fuzz_walk.c - libFuzzer target for the whole walk: any bytes read as a
 * minidump, then every thread walked (no symbols), every frame touched.
 * Seeds: ../shared/corpus/dumps. */
#include "../../src/minidump/minidump.h"
#include "../../src/unwind/unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	md_dump *d;
	cd_err e;
	if (md_open_mem(data, size, "fuzz.dmp", &d, &e) != CD_OK)
		return 0;
	for (uint32_t i = 0; i < d->nthreads; i++) {
		const md_thread *t = &d->threads[i];
		const md_context *ctx = d->exception.has_context && d->exception.thread_id == t->id
						? &d->exception.context : &t->context;
		if (!t->has_context && ctx == &t->context)
			continue;
		walk_stack s;
		if (walk_thread(d, t, ctx, NULL, NULL, &s, &e) == CD_OK) {
			volatile uint64_t sum = 0;
			for (uint32_t k = 0; k < s.nframes; k++)
				sum += s.frames[k].pc + (s.frames[k].module ? s.frames[k].module->base : 0);
			walk_stack_free(&s);
		}
	}
	md_close(d);
	return 0;
}
