/* error.c - cd_err formatting. */
#include <stdio.h>

#include "util.h"

int cd_errf(cd_err *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		e->code = code;
	}
	return code;
}

const char *cd_strerror(int code)
{
	switch (code) {
	case CD_OK: return "ok";
	case CD_EIO: return "I/O error";
	case CD_EFORMAT: return "bad format";
	case CD_ENOMEM: return "out of memory";
	case CD_EUSAGE: return "usage error";
	case CD_ENOTFOUND: return "not found";
	case CD_ECANCELED: return "canceled";
	}
	return "unknown error";
}
