/* sha256.c - SHA-256 through nettle, so the store can key dumps by content.
 * nettle's x86-64 code uses the SHA extensions where the CPU has them:
 * hashing the 70 corpus dumps was a fifth of a walk with a portable
 * C implementation. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void cd_sha256_init(cd_sha256 *s)
{
	sha256_init(&s->ctx);
	s->len = 0;
}

void cd_sha256_update(cd_sha256 *s, const void *p, size_t n)
{
	sha256_update(&s->ctx, n, p);
	s->len += n;
}

void cd_sha256_final(cd_sha256 *s, uint8_t out[32])
{
	sha256_digest(&s->ctx, SHA256_DIGEST_SIZE, out);
}

void cd_sha256_hex(const uint8_t digest[32], char hex[65])
{
	static const char x[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = x[digest[i] >> 4];
		hex[2 * i + 1] = x[digest[i] & 15];
	}
	hex[64] = 0;
}

int cd_sha256_file(const char *path, char hex[65], cd_err *e)
{
	/* read(), not a map: a file truncated under us gives a short read,
	 * not SIGBUS. O_NONBLOCK keeps a FIFO from blocking the open. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return cd_errf(e, CD_EIO, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cd_errf(e, CD_EIO, "%s: not a regular file", path);
	}
	cd_sha256 s;
	cd_sha256_init(&s);
	uint8_t buf[1 << 16];
	for (;;) {
		ssize_t k = read(fd, buf, sizeof buf);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int err = errno;
			close(fd);
			return cd_errf(e, CD_EIO, "%s: read error at offset %llu: %s", path,
				       (unsigned long long)s.len, strerror(err));
		}
		if (k == 0)
			break;
		cd_sha256_update(&s, buf, (size_t)k);
	}
	close(fd);
	uint8_t d[32];
	cd_sha256_final(&s, d);
	cd_sha256_hex(d, hex);
	return CD_OK;
}
