/* annotations.c - reading a crash's .extra file (a JSON object). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "process.h"

int proc_extra_path(const char *dump_path, char *buf, size_t size)
{
	size_t n = strlen(dump_path);
	if (n >= 4 && !strcmp(dump_path + n - 4, ".dmp"))
		n -= 4;
	if ((size_t)snprintf(buf, size, "%.*s.extra", (int)n, dump_path) >= size)
		return CD_EUSAGE;
	return CD_OK;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const md_kv *)a)->key, ((const md_kv *)b)->key);
}

int proc_annotations_load(const char *path, proc_annotations *out, cd_err *e)
{
	memset(out, 0, sizeof *out);
	cd_arena_init(&out->arena, 0);
	struct stat st;
	if (stat(path, &st) != 0)
		return cd_errf(e, CD_ENOTFOUND, "%s: no such annotations file", path);
	if (!S_ISREG(st.st_mode))
		return cd_errf(e, CD_EIO, "%s: not a regular file", path);
	if ((uint64_t)st.st_size > PROC_ANNOTATIONS_MAX)
		return cd_errf(e, CD_EFORMAT, "%s: %lld bytes, more than the %u an annotations file may have",
			       path, (long long)st.st_size, PROC_ANNOTATIONS_MAX);
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return cd_errf(e, CD_EFORMAT, "%s: line %d, column %d: %s", path, je.line,
			       je.column, je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return cd_errf(e, CD_EFORMAT, "%s: line 1: expected a JSON object of annotations", path);
	}
	size_t n = json_object_size(root);
	out->kv = cd_arena_calloc(&out->arena, n ? n : 1, sizeof *out->kv);
	if (!out->kv) {
		json_decref(root);
		return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
	}
	const char *key;
	json_t *val;
	json_object_foreach(root, key, val)
	{
		md_kv *kv = &out->kv[out->n];
		kv->key = cd_arena_strndup(&out->arena, key, strlen(key));
		if (json_is_string(val)) {
			kv->value = cd_arena_strndup(&out->arena, json_string_value(val),
						     json_string_length(val));
		} else {
			char *text = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
			kv->value = text ? cd_arena_strndup(&out->arena, text, strlen(text)) : NULL;
			free(text);
		}
		if (!kv->key || !kv->value) {
			json_decref(root);
			return cd_errf(e, CD_ENOMEM, "%s: out of memory", path);
		}
		out->n++;
	}
	json_decref(root);
	qsort(out->kv, out->n, sizeof *out->kv, by_key);
	return CD_OK;
}

const char *proc_annotation(const proc_annotations *a, const char *key)
{
	md_kv k = { .key = key };
	const md_kv *hit = a->n ? bsearch(&k, a->kv, a->n, sizeof *a->kv, by_key) : NULL;
	return hit ? hit->value : NULL;
}

void proc_annotations_free(proc_annotations *a)
{
	cd_arena_free(&a->arena);
	a->kv = NULL;
	a->n = 0;
}
