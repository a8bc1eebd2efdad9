/* test_store.c - SHA-256, XDG directories and the SQLite store. Every test
 * runs under a private temporary directory with $XDG_* and $HOME pointed
 * into it, so the real home is never touched. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/util/util.h"
#include "testlib.h"

static char tmp[256];

static void sha_hex(const void *p, size_t n, char hex[65])
{
	cd_sha256 s;
	uint8_t d[32];
	cd_sha256_init(&s);
	cd_sha256_update(&s, p, n);
	cd_sha256_final(&s, d);
	cd_sha256_hex(d, hex);
}

/* FIPS 180-4 examples and the NIST one-million-'a' vector. */
static void test_sha256_vectors(void)
{
	char h[65];
	sha_hex("", 0, h);
	T_EQ_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha_hex("abc", 3, h);
	T_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha_hex(m448, strlen(m448), h);
	T_EQ_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	sha_hex(m896, strlen(m896), h);
	T_EQ_STR(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	/* One million 'a' fed in uneven pieces exercises the partial-block path. */
	char chunk[997];
	memset(chunk, 'a', sizeof chunk);
	cd_sha256 s;
	cd_sha256_init(&s);
	size_t left = 1000000;
	for (size_t step = 1; left; step = step * 7 % 997 + 1) {
		size_t k = step < left ? step : left;
		cd_sha256_update(&s, chunk, k);
		left -= k;
	}
	uint8_t d[32];
	cd_sha256_final(&s, d);
	cd_sha256_hex(d, h);
	T_EQ_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* Lengths around the padding boundary (55, 56, 64 bytes). */
	sha_hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 55, h);
	T_EQ_STR(h, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	sha_hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 56, h);
	T_EQ_STR(h, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

static void test_sha256_file(void)
{
	char path[300], h[65];
	snprintf(path, sizeof path, "%s/abc.bin", tmp);
	FILE *f = fopen(path, "wb");
	T_ASSERT(f);
	fputs("abc", f);
	fclose(f);
	cd_err e;
	T_EQ_U64(cd_sha256_file(path, h, &e), CD_OK);
	T_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	snprintf(path, sizeof path, "%s/absent.bin", tmp);
	T_EQ_U64(cd_sha256_file(path, h, &e), CD_EIO);
	T_ASSERT(strstr(e.msg, "absent.bin"));
	T_EQ_U64(cd_sha256_file(tmp, h, &e), CD_EIO); /* a directory */
}

static void test_xdg(void)
{
	char buf[512], want[512];
	cd_err e;
	T_EQ_U64(cd_xdg_dir(CD_XDG_CACHE, "symcache", buf, sizeof buf, &e), CD_OK);
	snprintf(want, sizeof want, "%s/cache/crashdesk/symcache", tmp);
	T_EQ_STR(buf, want);
	struct stat st;
	T_ASSERT(stat(buf, &st) == 0 && S_ISDIR(st.st_mode));
	T_EQ_U64(st.st_mode & 0777, 0700);
	T_EQ_U64(cd_xdg_path(CD_XDG_CONFIG, NULL, buf, sizeof buf, &e), CD_OK);
	snprintf(want, sizeof want, "%s/config/crashdesk", tmp);
	T_EQ_STR(buf, want);
	T_ASSERT(stat(buf, &st) != 0); /* only computed, not created */
	/* Unset or relative: the ~/.local/state default under $HOME. */
	unsetenv("XDG_STATE_HOME");
	T_EQ_U64(cd_xdg_dir(CD_XDG_STATE, "", buf, sizeof buf, &e), CD_OK);
	snprintf(want, sizeof want, "%s/home/.local/state/crashdesk", tmp);
	T_EQ_STR(buf, want);
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	T_EQ_U64(cd_xdg_path(CD_XDG_CONFIG, NULL, buf, sizeof buf, &e), CD_OK);
	snprintf(want, sizeof want, "%s/home/.config/crashdesk", tmp);
	T_EQ_STR(buf, want);
	snprintf(want, sizeof want, "%s/state", tmp);
	setenv("XDG_STATE_HOME", want, 1);
	snprintf(want, sizeof want, "%s/config", tmp);
	setenv("XDG_CONFIG_HOME", want, 1);
	char small[8];
	T_EQ_U64(cd_xdg_path(CD_XDG_CACHE, NULL, small, sizeof small, &e), CD_EUSAGE);
}

static void setup(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/crashdesk-store-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		exit(1);
	}
	char p[400];
	const char *kinds[][2] = { { "XDG_CACHE_HOME", "cache" }, { "XDG_CONFIG_HOME", "config" },
				   { "XDG_STATE_HOME", "state" }, { "HOME", "home" } };
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s", tmp, kinds[i][1]);
		setenv(kinds[i][0], p, 1);
	}
}

static void cleanup(void)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
}

int main(void)
{
	setup();
	T_RUN(test_sha256_vectors);
	T_RUN(test_sha256_file);
	T_RUN(test_xdg);
	cleanup();
	return t_done();
}
