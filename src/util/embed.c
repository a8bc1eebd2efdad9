/* embed.c - looking up the data files compiled in by embed.sh. */
#include <string.h>

#include "util.h"

int cd_embed_find(const cd_embed *table, size_t n, const char *name, const cd_embed **out)
{
	*out = NULL;
	for (size_t i = 0; i < n; i++)
		if (table[i].name && !strcmp(table[i].name, name)) {
			*out = &table[i];
			return CD_OK;
		}
	return CD_ENOTFOUND;
}
