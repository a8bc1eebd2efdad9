/* map.c - read-only file mapping that refuses what is not a regular file;
 * directories made and listed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int cd_map_open(const char *path, cd_map *out, cd_err *e)
{
	out->data = NULL;
	out->size = 0;
	/* O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer
	 * forever; it is refused below like any other non-regular file. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return cd_errf(e, CD_EIO, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int err = errno;
		close(fd);
		return cd_errf(e, CD_EIO, "%s: cannot stat: %s", path, strerror(err));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return cd_errf(e, CD_EIO, "%s: is a directory, not a file", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return cd_errf(e, CD_EIO, "%s: not a regular file", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return CD_OK;
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return cd_errf(e, CD_EIO, "%s: too large to map", path);
	}
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	int err = errno;
	close(fd);
	if (p == MAP_FAILED)
		return cd_errf(e, CD_EIO, "%s: cannot map: %s", path, strerror(err));
	out->data = p;
	out->size = (size_t)st.st_size;
	return CD_OK;
}

void cd_map_close(cd_map *m)
{
	if (m->data)
		munmap((void *)m->data, m->size);
	m->data = NULL;
	m->size = 0;
}

int cd_mkdir_p(const char *path, unsigned mode, cd_err *e)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof buf)
		return cd_errf(e, CD_EUSAGE, "%s: bad directory name", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == 0) {
			char c = *p;
			*p = 0;
			if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST)
				return cd_errf(e, CD_EIO, "%s: cannot create: %s", buf, strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return cd_errf(e, CD_EIO, "%s: not a directory", path);
	return CD_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cd_dir_files(const char *dir, const char *suffix, int nocase, char ***out, size_t *n,
		 cd_err *e)
{
	*out = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return cd_errf(e, CD_EIO, "%s: cannot open: %s", dir, strerror(errno));
	char **v = NULL;
	size_t cnt = 0, cap = 0, k = strlen(suffix);
	int rc = CD_OK;
	struct dirent *de;
	while (rc == CD_OK && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len <= k)
			continue;
		const char *tail = de->d_name + len - k;
		if (nocase ? strcasecmp(tail, suffix) : strcmp(tail, suffix))
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 64;
			char **p = realloc(v, cap * sizeof *p);
			if (!p) {
				rc = cd_errf(e, CD_ENOMEM, "%s: out of memory", dir);
				break;
			}
			v = p;
		}
		size_t size = strlen(dir) + len + 2;
		if (!(v[cnt] = malloc(size)))
			rc = cd_errf(e, CD_ENOMEM, "%s: out of memory", dir);
		else
			snprintf(v[cnt++], size, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (rc != CD_OK) {
		cd_dir_files_free(v, cnt);
		return rc;
	}
	if (cnt)
		qsort(v, cnt, sizeof *v, by_name);
	*out = v;
	*n = cnt;
	return CD_OK;
}

void cd_dir_files_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int cd_file_starts_with(const char *path, const void *magic, size_t n)
{
	char head[16];
	FILE *f = n <= sizeof head ? fopen(path, "rb") : NULL;
	if (!f)
		return 0;
	int yes = fread(head, 1, n, f) == n && !memcmp(head, magic, n);
	fclose(f);
	return yes;
}
