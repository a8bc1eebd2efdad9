/*
 * pane_code.c - what a crash's memory holds: the instructions around a
 * frame (disassembled from the dump's captured code), a hexdump of a
 * thread's stack or of the memory around the crash address (one word a
 * line with what each points to, or 16 bytes a line), and the PHC stacks
 * of Firefox's annotations symbolicated against the dump's modules.
 *
 * Addresses are named by the worker (it owns the symbol store): a pane
 * asks for its addresses' names when it is built and is built again when
 * they arrive (worker_want_names()).
 */
#include <stdlib.h>
#include <string.h>

#include "../minidump/minidump.h"
#include "pane.h"
#include "rows.h"

#define MEM_MAX_BYTES (64u << 10) /* one pane shows at most this much */

/* ---- where a pane looks ---------------------------------------------------- */

static uint64_t hex_value(json_t *v)
{
	const char *s = json_string_value(v);
	return s ? strtoull(s, NULL, 16) : 0;
}

/* The frame a key was pressed on: the selected frame of a frames or
 * details pane, else the crashing thread's first. */
void code_focus_frame(app *a, pane *p, const tui_crash *c, int *thread, int *frame)
{
	(void)a;
	*thread = -1;
	*frame = 0;
	if (p->ops == &pane_frames || p->ops == &pane_unloaded_frames) {
		json_t *row = tui_list_row(&p->list, p->list.sel);
		json_t *fr = json_object_get(row, "_frame");
		*frame = json_is_integer(fr) ? (int)json_integer_value(fr) : 0;
		*thread = p->ops == &pane_frames
				  ? p->thread
				  : (int)json_integer_value(json_object_get(row, "_thread"));
	} else if (p->ops == &pane_details) {
		*thread = p->thread;
		*frame = p->frame;
	}
	if (*thread < 0) {
		json_t *ct = json_object_get(json_object_get(c->doc, "crash_info"), "crashing_thread");
		*thread = json_is_integer(ct) ? (int)json_integer_value(ct) : 0;
	}
}

static json_t *frame_json(const tui_crash *c, int thread, int frame)
{
	json_t *th = json_array_get(json_object_get(c->doc, "threads"), (size_t)thread);
	return json_array_get(json_object_get(th, "frames"), (size_t)frame);
}

/* The dump's thread of the document's thread index (the same order;
 * checked by id). */
static const md_thread *dump_thread(const tui_crash *c, int thread)
{
	json_t *th = json_array_get(json_object_get(c->doc, "threads"), (size_t)thread);
	json_t *id = json_object_get(th, "thread_id");
	if (!c->dump || !json_is_integer(id))
		return NULL;
	return md_find_thread(c->dump, (uint32_t)json_integer_value(id));
}

/* ---- names, asked of the worker ----------------------------------------------- */

/* Under the lock: the name of addr from the worker's last answer to this
 * pane's request ("" when not answered or outside every module). */
static const char *answered_name(app *a, const pane *p, uint64_t addr)
{
	worker_names wn;
	worker_names_get(a->w, &wn);
	if (!p->built_seq || wn.request != p->built_seq || !wn.names)
		return "";
	size_t lo = 0, hi = wn.n; /* asked in address order */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (wn.addrs[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < wn.n && wn.addrs[lo] == addr && wn.names[lo] ? wn.names[lo] : "";
}

static int by_value(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return (a > b) - (a < b);
}

/* Asks for the names of the addresses that lie in a module; the request's
 * number becomes the pane's built_seq (its rows are built again when the
 * answer for it lands). */
static void ask_names(app *a, pane *p, const md_dump *d, uint64_t *addrs, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (uint32_t m = 0; d && m < d->nmodules; m++)
			if (addrs[i] - d->modules[m].base < d->modules[m].size) {
				addrs[k++] = addrs[i];
				break;
			}
	qsort(addrs, k, sizeof *addrs, by_value);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (!u || addrs[u - 1] != addrs[i])
			addrs[u++] = addrs[i];
	/* Asked without the lock (the worker takes it). */
	worker_unlock(a->w);
	p->built_seq = worker_want_names(a->w, (uint32_t)p->crash, addrs, u);
	worker_lock(a->w);
}

/* Under the lock: whether the rows are to be built now: first time, or
 * the names they asked for arrived. */
static int names_arrived(app *a, pane *p)
{
	if (!p->built)
		return 1;
	worker_names wn;
	worker_names_get(a->w, &wn);
	if (p->unfold & 2) /* built with the names already */
		return 0;
	if (wn.request == p->built_seq) {
		p->unfold |= 2;
		return 1;
	}
	return 0;
}

/* A row of text across the pane's width (a heading, a message). */
static json_t *span_row(const char *text, const char *style)
{
	return json_pack("{s:s, s:s}", "_span", text, "_style", style);
}

/* ---- disassembly ------------------------------------------------------------------ */

static void disasm_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash(a, p);
	if (!c || c->state != CRASH_READY || !names_arrived(a, p))
		return;
	json_t *rows = json_array();
	json_t *fr = frame_json(c, p->thread, p->frame);
	uint64_t at = hex_value(json_object_get(fr, "offset"));
	/* A caller's offset is inside its call (return address - 1): the
	 * listing is synced on the return address. */
	int is_return = p->frame > 0;
	proc_insn ins[64];
	int n = 0, mark = -1;
	int rc = c->dump ? proc_disassemble(c->dump, is_return ? at + 1 : at, is_return, 24, 24,
					    ins, 64, &n, &mark)
			 : CD_ENOTFOUND;
	char head[256];
	snprintf(head, sizeof head, "thread %d frame %d at 0x%llx%s", p->thread, p->frame,
		 (unsigned long long)at, is_return ? " (the call; the frame returns after it)" : "");
	json_array_append_new(rows, span_row(head, "heading"));
	if (rc != CD_OK) {
		json_array_append_new(rows, span_row(!c->dump ? "no dump behind this crash (a processed JSON): no memory to read"
						     : rc == CD_EUSAGE ? "this CPU's code cannot be decoded"
								       : "the dump holds no code at this address",
						     "missing"));
		pane_set_rows(a, p, rows, p->built_seq);
		return;
	}
	uint64_t want[64];
	for (int i = 0; i < n; i++)
		want[i] = ins[i].target;
	for (int i = 0; i < n; i++) {
		char addr[32], bytes[64] = "";
		snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)ins[i].addr);
		for (int b = 0; b < ins[i].len && b < 15; b++)
			snprintf(bytes + strlen(bytes), sizeof bytes - strlen(bytes), "%02x", ins[i].bytes[b]);
		const char *target = ins[i].target ? answered_name(a, p, ins[i].target) : "";
		json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s}", "mark", i == mark ? "=>" : "",
				      "address", addr, "bytes", bytes, "insn", ins[i].text, "target",
				      target);
		if (i == mark)
			json_object_set_new(r, "_style", json_string("crashed"));
		json_array_append_new(rows, r);
	}
	int first = !p->built;
	pane_set_rows(a, p, rows, p->built_seq);
	if (first) {
		tui_list_select(&p->list, (uint32_t)(mark + 1), pane_page());
		ask_names(a, p, c->dump, want, (size_t)n);
	}
}

static void code_title(app *a, const pane *p, char *buf, size_t n)
{
	snprintf(buf, n, "%s  thread %d frame %d", pane_crash_name(a, p), p->thread, p->frame);
}

const pane_ops pane_disasm = {
	.name = "Disassembly",
	.view = "disasm",
	.flags = PANE_F_CRASH,
	.build = disasm_build,
	.title = code_title,
};

/* ---- memory ------------------------------------------------------------------------ */

static int region_stack(const tui_crash *c, int thread, int frame, uint64_t *start,
			uint64_t *len, char *what, size_t n);

/* The memory pane's region: [start, start + len) of one captured block. */
static int region(const tui_crash *c, const pane *p, uint64_t *start, uint64_t *len,
		  char *what, size_t n)
{
	const md_dump *d = c->dump;
	if (!d)
		return -1;
	if (p->frame < 0) { /* around the crash address */
		uint64_t addr = hex_value(json_object_get(json_object_get(c->doc, "crash_info"), "address"));
		for (uint32_t i = 0; i < d->nmemory; i++) {
			const md_memory *m = &d->memory[i];
			if (m->data && addr - m->base < m->avail) {
				uint64_t from = addr - m->base > 256 ? (addr - 256) & ~15ull : m->base;
				*start = from;
				*len = m->base + m->avail - from < 512 ? m->base + m->avail - from : 512;
				snprintf(what, n, "the memory around the crash address 0x%llx",
					 (unsigned long long)addr);
				return 0;
			}
		}
		/* Not captured (a null pointer, say): the crashing thread's
		 * stack, which says more than nothing. */
		if (region_stack(c, p->thread, 0, start, len, what, n) != 0)
			return -2;
		char said[256];
		snprintf(said, sizeof said, "the crash address 0x%llx is not in the dump: %s",
			 (unsigned long long)addr, what);
		snprintf(what, n, "%s", said);
		return 0;
	}
	return region_stack(c, p->thread, p->frame, start, len, what, n);
}

/* A thread's stack from a frame's stack pointer to the end of its block. */
static int region_stack(const tui_crash *c, int thread, int frame, uint64_t *start,
			uint64_t *len, char *what, size_t n)
{
	const md_thread *t = dump_thread(c, thread);
	if (!t || !t->stack.data || !t->stack.avail)
		return -3;
	json_t *regs = json_object_get(frame_json(c, thread, frame), "registers");
	uint64_t sp = 0;
	static const char *const sps[] = { "rsp", "esp", "sp" };
	for (size_t k = 0; k < 3 && !sp; k++)
		sp = hex_value(json_object_get(regs, sps[k]));
	uint64_t from = sp - t->stack.base < t->stack.avail ? sp & ~7ull : t->stack.base;
	if (from < t->stack.base)
		from = t->stack.base;
	*start = from;
	*len = t->stack.base + t->stack.avail - from;
	snprintf(what, n, "thread %d's stack from %s 0x%llx (frame %d)", thread,
		 sp ? "its stack pointer" : "its start", (unsigned long long)from, frame);
	return 0;
}

static void memory_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash(a, p);
	if (!c || c->state != CRASH_READY || !names_arrived(a, p))
		return;
	json_t *rows = json_array();
	uint64_t start = 0, len = 0;
	char what[256];
	int r = region(c, p, &start, &len, what, sizeof what);
	if (r) {
		json_array_append_new(rows, span_row(r == -1 ? "no dump behind this crash (a processed JSON): no memory to read"
						     : r == -2 ? "the dump did not capture the memory at the crash address"
							       : "the dump did not capture this thread's stack",
						     "missing"));
		pane_set_rows(a, p, rows, p->built_seq);
		return;
	}
	uint64_t shown = len > MEM_MAX_BYTES ? MEM_MAX_BYTES : len;
	int words = !(p->unfold & 1), wide = c->dump->sysinfo.cpu == MD_CPU_AMD64 ||
					       c->dump->sysinfo.cpu == MD_CPU_ARM64;
	unsigned ws = wide ? 8 : 4;
	json_array_append_new(rows, span_row(what, "heading"));
	uint8_t *buf = malloc(shown ? shown : 1);
	if (!buf || md_read_memory(c->dump, start, buf, shown) != CD_OK) {
		free(buf);
		pane_set_rows(a, p, rows, p->built_seq);
		return;
	}
	size_t nwant = 0;
	uint64_t *want = words ? malloc((shown / ws + 1) * sizeof *want) : NULL;
	for (uint64_t off = 0; off < shown;) {
		char addr[32], val[80], text[20];
		snprintf(addr, sizeof addr, "0x%0*llx", wide ? 16 : 8, (unsigned long long)(start + off));
		if (words) {
			uint64_t v = 0;
			unsigned k = shown - off < ws ? (unsigned)(shown - off) : ws;
			for (unsigned b = 0; b < k; b++)
				v |= (uint64_t)buf[off + b] << (8 * b);
			snprintf(val, sizeof val, "0x%0*llx", wide ? 16 : 8, (unsigned long long)v);
			if (want)
				want[nwant++] = v;
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "address", addr, "value",
							      val, "points", answered_name(a, p, v)));
			off += k;
		} else {
			size_t k = shown - off < 16 ? (size_t)(shown - off) : 16, q = 0;
			val[0] = 0;
			for (size_t b = 0; b < k; b++) {
				q += (size_t)snprintf(val + q, sizeof val - q, "%02x%s", buf[off + b],
						      b == 7 ? "  " : " ");
				text[b] = buf[off + b] >= 0x20 && buf[off + b] < 0x7f ? (char)buf[off + b] : '.';
			}
			text[k] = 0;
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "address", addr, "value",
							      val, "points", text));
			off += k;
		}
	}
	if (shown < len) {
		char more[160];
		snprintf(more, sizeof more, "%llu more bytes of this region are not shown (a pane shows %u KB)",
			 (unsigned long long)(len - shown), MEM_MAX_BYTES >> 10);
		json_array_append_new(rows, span_row(more, "dim"));
	}
	free(buf);
	int first = !p->built;
	pane_set_rows(a, p, rows, p->built_seq);
	if (first && want)
		ask_names(a, p, c->dump, want, nwant);
	free(want);
}

/* w: one word a line (with what it points to) or 16 bytes a line. */
static pane_result memory_action(app *a, pane *p, tui_action act)
{
	if (act != TUI_ACT_WORDS)
		return PANE_IGNORED;
	p->unfold = (p->unfold & 1) ^ 1; /* names asked again for the words */
	p->built = 0;
	worker_lock(a->w);
	memory_build(a, p);
	worker_unlock(a->w);
	app_status(a, TUI_S_NORMAL, p->unfold & 1 ? "16 bytes a line" : "one word a line");
	return PANE_HANDLED;
}

static const tui_action memory_acts[] = { TUI_ACT_WORDS, TUI_ACT_NONE };

static void memory_title(app *a, const pane *p, char *buf, size_t n)
{
	if (p->frame < 0)
		snprintf(buf, n, "%s  memory at the crash address", pane_crash_name(a, p));
	else
		snprintf(buf, n, "%s  thread %d stack", pane_crash_name(a, p), p->thread);
}

const pane_ops pane_memory = {
	.name = "Memory",
	.view = "memory",
	.flags = PANE_F_CRASH,
	.build = memory_build,
	.action = memory_action,
	.acts = memory_acts,
	.title = memory_title,
};

/* ---- PHC stacks --------------------------------------------------------------------- */

static void phc_build(app *a, pane *p)
{
	const tui_crash *c = pane_crash(a, p);
	if (!c || c->state != CRASH_READY || !names_arrived(a, p))
		return;
	const char *list = json_string_value(json_object_get(json_object_get(c->doc, "annotations"), p->arg));
	json_t *rows = json_array();
	char head[300];
	snprintf(head, sizeof head, "%s: %s", p->arg,
		 !strcmp(p->arg, "PHCFreeStack") ? "where the memory was freed"
						 : "where the memory was allocated");
	json_array_append_new(rows, span_row(head, "heading"));
	uint64_t want[1024];
	size_t n = 0;
	for (const char *s = list ? list : ""; *s && n < 1024;) {
		char *end;
		uint64_t v = strtoull(s, &end, 0);
		if (end == s)
			break;
		want[n++] = v;
		s = *end == ',' ? end + 1 : end;
	}
	for (size_t k = 0; k < n; k++) {
		char num[16], addr[32];
		snprintf(num, sizeof num, "%zu", k);
		snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)want[k]);
		const char *name = answered_name(a, p, want[k]);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "frame", num, "address", addr,
						      "function", name[0] ? name : p->built && (p->unfold & 2) ? "(in no module of the dump)" : ""));
	}
	if (!n)
		json_array_append_new(rows, span_row("no addresses in the annotation", "missing"));
	int first = !p->built;
	pane_set_rows(a, p, rows, p->built_seq);
	if (first && n) {
		uint64_t copy[1024];
		memcpy(copy, want, n * sizeof *copy);
		ask_names(a, p, c->dump, copy, n);
	}
}

static void phc_title(app *a, const pane *p, char *buf, size_t n)
{
	snprintf(buf, n, "%s  %s", pane_crash_name(a, p), p->arg);
}

const pane_ops pane_phc = {
	.name = "PHC stack",
	.view = "phc",
	.flags = PANE_F_CRASH,
	.build = phc_build,
	.title = phc_title,
};

/* ---- opening them ------------------------------------------------------------------- */

void code_open(app *a, const pane_ops *ops)
{
	pane *p = pane_top(a);
	if (!p || p->crash < 0)
		return;
	worker_lock(a->w);
	const tui_crash *c = pane_crash(a, p);
	int ready = c && c->state == CRASH_READY, thread = 0, frame = 0, have_dump = c && c->dump;
	if (ready)
		code_focus_frame(a, p, c, &thread, &frame);
	worker_unlock(a->w);
	if (!ready) {
		app_status(a, TUI_S_ERROR, "the crash is not walked yet");
		return;
	}
	if (!have_dump) {
		app_status(a, TUI_S_ERROR, "no dump behind this crash (a processed JSON): no memory to read");
		return;
	}
	/* The memory of the crash address from the report's panes; of the
	 * selected frame's stack from the frames. */
	int over_frames = p->ops == &pane_frames || p->ops == &pane_details ||
			  p->ops == &pane_unloaded_frames;
	pane *n = pane_push(a, ops, p->crash);
	if (!n)
		return;
	n->thread = thread;
	n->frame = ops == &pane_memory && !over_frames ? -1 : frame;
	worker_lock(a->w);
	ops->build(a, n);
	worker_unlock(a->w);
}

void code_open_phc(app *a, pane *p, const char *key)
{
	pane *n = pane_push(a, &pane_phc, p->crash);
	if (!n)
		return;
	snprintf(n->arg, sizeof n->arg, "%s", key);
	worker_lock(a->w);
	pane_phc.build(a, n);
	worker_unlock(a->w);
}
