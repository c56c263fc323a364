/* priv.h - dropping privileges, checked and verified. */
#ifndef SOCKMAIL_PRIV_H
#define SOCKMAIL_PRIV_H

#include <sys/types.h>

struct buf;

/* The uid and gid of spec (as priv_drop_to() takes it); 0, or -1 with
 * the reason in err (an unknown user or group, root). */
int	priv_resolve(const char *spec, uid_t *uid, gid_t *gid, struct buf *err);

/* Switch for good to spec ("user", "user:group", "uid", "uid:gid").
 * Only called as root.  Every set*id() result is checked, and afterwards
 * that real, effective and saved ids all changed and that root cannot be
 * regained.  Returns 0, or -1 with the reason in err. */
int	priv_drop_to(const char *spec, struct buf *err);

/* For an SMTP session: as root, drop to RunAsUser (run_as), or refuse
 * unless allow_root; as anyone else, stay as is.  0, or -1 with err. */
int	priv_session(const char *run_as, int allow_root, struct buf *err);

#endif
