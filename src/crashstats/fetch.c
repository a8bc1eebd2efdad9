/* fetch.c - fetching crashes (raw, processed, the minidump) in parallel
 * into the store, each stored as soon as its parts are in. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

enum { P_RAW, P_PROC, P_DUMP };

typedef struct crash_st {
	json_t *raw, *proc;
	cs_part part[3];
	int pending;
	char sha[65];
	char dump_path[4200];
	cd_buf problems;
} crash_st;

typedef struct fetch_ctx {
	cs_client *c;
	store *st;
	const char (*ids)[CS_ID_LEN + 1];
	const cs_fetch_opts *o;
	crash_st *cr;
	char dump_dir[4096];
	size_t nfailed;
	int rc;
	cd_err *e;
} fetch_ctx;

static void check(const cs_schema *s, json_t *doc, const char *what, cd_buf *out)
{
	if (!s || !doc)
		return;
	cd_buf p;
	cd_buf_init(&p, 1 << 16);
	if (cs_schema_check(s, doc, &p)) {
		/* Each line gets the document's name. */
		char *line = p.data;
		while (line && *line) {
			char *nl = strchr(line, '\n');
			cd_buf_printf(out, "%s: %.*s\n", what, nl ? (int)(nl - line) : (int)strlen(line),
				      line);
			line = nl ? nl + 1 : NULL;
		}
	}
	cd_buf_free(&p);
}

static int store_docs(fetch_ctx *f, size_t i, crash_st *cr, cd_err *e)
{
	const char *id = f->ids[i];
	/* A crash nothing could be fetched of gets no row. */
	if (!cr->raw && !cr->proc && cr->part[P_DUMP].status != CS_OK)
		return CD_OK;
	store_crash sc;
	cs_crash_summary(id, cr->raw, cr->proc, &sc);
	int rc = store_crash_put(f->st, &sc, e);
	int pub = !cs_client_has_token(f->c);
	json_t *docs[2] = { cr->raw, cr->proc };
	static const char *const kinds[2] = { "raw", "processed" };
	for (int k = 0; k < 2 && rc == CD_OK; k++) {
		if (!docs[k])
			continue;
		char *t = json_dumps(docs[k], JSON_COMPACT);
		rc = t ? store_crash_doc_put(f->st, id, kinds[k], t, pub, e)
		       : cd_errf(e, CD_ENOMEM, "%s: out of memory", id);
		free(t);
	}
	if (rc == CD_OK && cr->part[P_DUMP].status == CS_OK) {
		struct stat sb;
		if (stat(cr->dump_path, &sb) != 0)
			rc = cd_errf(e, CD_EIO, "%s: cannot stat: %s", cr->dump_path, strerror(errno));
		else
			rc = store_crash_dump_put(f->st, id, "upload_file_minidump", cr->sha,
						  (uint64_t)sb.st_size, cr->dump_path, e);
	}
	if (rc == CD_OK && f->o->out_dir)
		rc = cs_layout_write(f->o->out_dir, id, cr->raw, cr->proc,
				     cr->part[P_DUMP].status == CS_OK ? cr->dump_path : NULL, e);
	return rc;
}

static void crash_done(fetch_ctx *f, size_t i)
{
	crash_st *cr = &f->cr[i];
	/* The collector's checksum of the dump, when the raw crash has it. */
	if (cr->raw && cr->part[P_DUMP].status == CS_OK) {
		const char *want = json_string_value(json_object_get(
			json_object_get(json_object_get(cr->raw, "metadata"), "dump_checksums"),
			"upload_file_minidump"));
		if (want && strcmp(want, cr->sha))
			cd_buf_printf(&cr->problems,
				      "dump: SHA-256 %s differs from the collector's %s\n", cr->sha, want);
	}
	check(f->o->raw_schema, cr->raw, "raw crash", &cr->problems);
	check(f->o->processed_schema, cr->proc, "processed crash", &cr->problems);
	cd_err e;
	int rc = store_docs(f, i, cr, &e);
	if (rc != CD_OK && f->rc == CD_OK) {
		f->rc = rc;
		*f->e = e;
	}
	int failed = 0;
	for (int k = 0; k < 3; k++)
		if (cr->part[k].status == CS_FAILED || cr->part[k].status == CS_BAD_REQUEST)
			failed = 1;
	if (failed || rc != CD_OK)
		f->nfailed++;
	if (f->o->on_crash) {
		cs_fetch_report r = {
			.crash_id = f->ids[i],
			.raw = cr->part[P_RAW],
			.processed = cr->part[P_PROC],
			.dump = cr->part[P_DUMP],
			.dump_sha256 = cr->part[P_DUMP].status == CS_OK ? cr->sha : "",
			.dump_path = cr->part[P_DUMP].status == CS_OK ? cr->dump_path : "",
			.problems = cr->problems.data ? cr->problems.data : "",
			.index = i,
		};
		if (rc != CD_OK) {
			cd_buf_printf(&cr->problems, "store: %s\n", e.msg);
			r.problems = cr->problems.data;
		}
		f->o->on_crash(f->o->ctx, &r);
	}
	json_decref(cr->raw);
	json_decref(cr->proc);
	cr->raw = cr->proc = NULL;
	cd_buf_free(&cr->problems);
}

static void req_done(void *vctx, cs__req *r)
{
	fetch_ctx *f = vctx;
	crash_st *cr = &f->cr[r->tag];
	cs_part *p = &cr->part[r->part];
	p->status = r->result;
	snprintf(p->msg, sizeof p->msg, "%s", r->msg);
	if (r->result == CS_OK && r->part != P_DUMP) {
		json_t *j = cs__parse_json(r->body.data, r->body.len,
					   r->part == P_RAW ? "RawCrash" : "ProcessedCrash", p->msg,
					   sizeof p->msg);
		if (j && !json_is_object(j)) {
			json_decref(j);
			j = NULL;
			snprintf(p->msg, sizeof p->msg, "%s: expected a JSON object",
				 r->part == P_RAW ? "RawCrash" : "ProcessedCrash");
		}
		if (!j)
			p->status = CS_FAILED;
		else if (r->part == P_RAW)
			cr->raw = j;
		else
			cr->proc = j;
	} else if (r->part == P_DUMP) {
		if (r->result == CS_OK && !cd_file_starts_with(r->tmp_path, "MDMP", 4)) {
			/* An HTML or JSON answer with status 200 is not a dump; its
			 * text is never shown (it may echo the token). */
			p->status = CS_FAILED;
			snprintf(p->msg, sizeof p->msg,
				 "dump: the answer is not a minidump (it does not start with MDMP): not stored");
			unlink(r->tmp_path);
		} else if (r->result == CS_OK) {
			memcpy(cr->sha, r->sha_hex, 65);
			snprintf(cr->dump_path, sizeof cr->dump_path, "%s/%s.dmp", f->dump_dir, cr->sha);
			if (rename(r->tmp_path, cr->dump_path) != 0) {
				p->status = CS_FAILED;
				snprintf(p->msg, sizeof p->msg, "%s: cannot rename: %s", cr->dump_path,
					 strerror(errno));
				unlink(r->tmp_path);
			}
		} else
			unlink(r->tmp_path);
	}
	cd_buf_free(&r->body);
	if (--cr->pending == 0)
		crash_done(f, r->tag);
}

int cs_fetch(cs_client *c, store *st, const char (*ids)[CS_ID_LEN + 1], size_t n,
	     const cs_fetch_opts *o, size_t *nfailed, cd_err *e)
{
	if (nfailed)
		*nfailed = 0;
	fetch_ctx f = { .c = c, .st = st, .ids = ids, .o = o, .e = e };
	int rc;
	for (size_t i = 0; i < n; i++)
		if (!cs_crash_id_valid(ids[i]))
			return cd_errf(e, CD_EUSAGE, "'%s' is not a crash id", ids[i]);
	if (o->want & CS_WANT_DUMP) {
		if (o->dump_dir) {
			snprintf(f.dump_dir, sizeof f.dump_dir, "%s", o->dump_dir);
			rc = cd_mkdir_p(f.dump_dir, 0700, e);
		} else
			rc = cd_xdg_dir(CD_XDG_CACHE, "dumps", f.dump_dir, sizeof f.dump_dir, e);
		if (rc != CD_OK)
			return rc;
		/* What a killed fetch left there (.part-ID-PID) goes first. */
		cd_tmp_sweep(f.dump_dir, 1, NULL);
	}
	int nparts = !!(o->want & CS_WANT_RAW) + !!(o->want & CS_WANT_PROCESSED) +
		     !!(o->want & CS_WANT_DUMP);
	if (!n || !nparts)
		return CD_OK;
	f.cr = calloc(n, sizeof *f.cr);
	cs__req *reqs = calloc(n * (size_t)nparts, sizeof *reqs);
	cs__req **rp = calloc(n * (size_t)nparts, sizeof *rp);
	if (!f.cr || !reqs || !rp) {
		free(f.cr);
		free(reqs);
		free(rp);
		return cd_errf(e, CD_ENOMEM, "out of memory for %zu crashes", n);
	}
	size_t k = 0;
	rc = CD_OK;
	for (size_t i = 0; i < n && rc == CD_OK; i++) {
		crash_st *cr = &f.cr[i];
		cd_buf_init(&cr->problems, 1 << 16);
		for (int p = 0; p < 3; p++) {
			cr->part[p].status = CS_SKIPPED;
			snprintf(cr->part[p].msg, sizeof cr->part[p].msg, "not asked for");
		}
		for (int p = 0; p < 3; p++) {
			unsigned bit = p == P_RAW ? CS_WANT_RAW : p == P_PROC ? CS_WANT_PROCESSED
									      : CS_WANT_DUMP;
			if (!(o->want & bit))
				continue;
			char q[200];
			if (p == P_RAW)
				snprintf(q, sizeof q, "crash_id=%s&format=meta", ids[i]);
			else if (p == P_PROC)
				snprintf(q, sizeof q, "crash_id=%s", ids[i]);
			else
				snprintf(q, sizeof q, "crash_id=%s&format=raw&name=upload_file_minidump",
					 ids[i]);
			cs__req *r = &reqs[k];
			r->url = cs__api_url(c, p == P_PROC ? "ProcessedCrash" : "RawCrash", q);
			if (!r->url) {
				rc = cd_errf(e, CD_ENOMEM, "out of memory");
				break;
			}
			r->tag = i;
			r->part = p;
			if (p == P_DUMP) {
				r->to_file = 1;
				snprintf(r->tmp_path, sizeof r->tmp_path, "%s/.part-%s-%ld", f.dump_dir, ids[i],
					 (long)getpid());
			}
			rp[k++] = r;
			cr->pending++;
		}
	}
	if (rc == CD_OK) {
		rc = cs__run(c, rp, k, req_done, &f, o->cancel, e);
		if (rc == CD_OK)
			rc = f.rc;
	}
	for (size_t j = 0; j < k; j++) {
		free(reqs[j].url);
		cd_buf_free(&reqs[j].body);
		if (reqs[j].to_file && reqs[j].result != CS_OK)
			unlink(reqs[j].tmp_path);
	}
	for (size_t i = 0; i < n; i++) {
		json_decref(f.cr[i].raw);
		json_decref(f.cr[i].proc);
		cd_buf_free(&f.cr[i].problems);
	}
	free(f.cr);
	free(reqs);
	free(rp);
	if (nfailed)
		*nfailed = f.nfailed;
	return rc;
}
