/* dl.c - optional libraries through dlopen(). */
#include "dl.h"

#include <dlfcn.h>

#include "buf.h"

void *
dl_sym(struct dl_lib *lib, const char *name, int required, struct buf *msg)
{
	const char *e;
	void *p;

	dlerror();
	if ((p = dlsym(lib->handle, name)) == NULL && required &&
	    msg->len == 0) {
		e = dlerror();
		if (e != NULL)
			buf_adds(msg, e);
		else
			buf_printf(msg, "%s: %s is null", lib->soname, name);
	}
	return p;
}

int
dl_load(struct dl_lib *lib, dl_resolve_fn resolve, struct buf *err)
{
	struct buf msg = BUF_INIT;
	const char *e;

	if (lib->handle != NULL)
		return 0;
	if (lib->error == NULL) {
		lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
		if (lib->handle == NULL) {
			e = dlerror();
			buf_printf(&msg, "cannot load %s: %s", lib->soname,
			    e != NULL ? e : "unknown error");
		} else if (resolve(lib, &msg) == -1) {
			/* Not unloaded: a half-initialised library may hold
			 * state its destructors do not expect. */
			lib->handle = NULL;
		}
		if (lib->handle == NULL)
			lib->error = xstrdup(buf_str(&msg));
		buf_free(&msg);
	}
	if (lib->handle != NULL)
		return 0;
	buf_adds(err, lib->error);
	return -1;
}
