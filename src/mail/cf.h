/* cf.h - sendmail.cf / submit.cf reader.
 *
 * Reads the line syntax of sendmail.cf: O (options), D (macros), C and F
 * (classes), K (map declarations), M (mailers); V, P, T, H, Q, E, L, G and
 * the rewriting rules S and R are accepted and skipped, since sockmail's
 * policy is built in and configured by options, classes and maps (the
 * names of the S lines are recorded, so that -bC can say what is skipped).
 * cf_read() refuses a file others could have written when it runs as
 * root or set-group-ID, and always a class file (F) or map file (K) that
 * is unsafe or in an unsafe place (lib/safefile.h).
 *
 * Options are declared as data (one table in cf_opttab.c: name, one-letter
 * synonym, type, bounds, field).  Every sendmail 8.17 option name is
 * known: the ones sockmail implements are stored in struct cf, the others
 * are accepted and listed by cf_unimplemented() so that `sendmail -bC`
 * can report them; an option name sendmail does not know is an error.
 *
 * Errors name file and line: "FILE: line N: what is wrong".  Reading the
 * config is done once per SMTP session, so it must stay cheap: one read()
 * of the file, no per-line allocation beyond what is kept.
 */
#ifndef SOCKMAIL_CF_H
#define SOCKMAIL_CF_H

#include <stddef.h>
#include <sys/types.h>

#include "tls/tls.h"

struct buf;

/* PrivacyOptions bits */
#define PRIV_NEEDMAILHELO	0x0001
#define PRIV_NEEDEXPNHELO	0x0002
#define PRIV_NEEDVRFYHELO	0x0004
#define PRIV_NOEXPN		0x0008
#define PRIV_NOVRFY		0x0010
#define PRIV_NOETRN		0x0020
#define PRIV_NOVERB		0x0040
#define PRIV_RESTRICTQRUN	0x0080
#define PRIV_RESTRICTMAILQ	0x0100
#define PRIV_RESTRICTEXPAND	0x0200
#define PRIV_NORECEIPTS		0x0400
#define PRIV_NOBODYRETN		0x0800
#define PRIV_AUTHWARNINGS	0x1000
#define PRIV_NOACTUALRECIPIENT	0x2000
#define PRIV_GOAWAY		(PRIV_NEEDMAILHELO | PRIV_NEEDEXPNHELO | \
				 PRIV_NEEDVRFYHELO | PRIV_NOEXPN | PRIV_NOVRFY | \
				 PRIV_NOETRN | PRIV_NOVERB | PRIV_AUTHWARNINGS | \
				 PRIV_NORECEIPTS | PRIV_NOBODYRETN)

/* AuthOptions letters (sendmail's), as bits. */
#define AUTHOPT_A	0x0001	/* A: AUTH= of MAIL only after AUTH */
#define AUTHOPT_a	0x0002	/* a: protection from active attacks */
#define AUTHOPT_c	0x0004	/* c: mechanisms that pass credentials */
#define AUTHOPT_d	0x0008	/* d: no passive dictionary attacks */
#define AUTHOPT_f	0x0010	/* f: forward secrecy */
#define AUTHOPT_m	0x0020	/* m: mutual authentication */
#define AUTHOPT_p	0x0040	/* p: no plaintext mechanisms without TLS */
#define AUTHOPT_u	0x0080	/* u: (client side) */
#define AUTHOPT_y	0x0100	/* y: no anonymous mechanisms */

/* A list of words (a class, or a repeatable option's values). */
struct strlist {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

struct cf_macro {
	char	*name;		/* "j" or "{client_addr}" without braces: "client_addr" */
	char	*value;
};

struct cf_class {
	char		*name;	/* "w", "R", "Accept" (no braces) */
	struct strlist	 words;
};

struct cf_map {			/* K line: Kname class args */
	char	*name;
	char	*mclass;	/* "hash", "gdbm", "dequote", ... */
	char	*args;		/* rest of line, e.g. "-T<TMPF> /etc/mail/access" */
	char	*file;		/* last word of args that looks like a path, or NULL */
};

/* An S line: sockmail runs no rewriting rules, but records which
 * rulesets the file defines so that -bC can name what it skips. */
#define CF_RULESETS_MAX	192
#define CF_RULESET_NAME	32
struct cf_ruleset {
	char	name[CF_RULESET_NAME];	/* "check_rcpt", "canonify" (cut to fit) */
	int	rules;			/* the R lines that follow it */
};

struct cf_mailer {		/* M line: Mname, P=..., F=..., A=... */
	char	*name;
	char	*path;		/* P= */
	char	*flags;		/* F= */
	char	*argv;		/* A= (unexpanded) */
	char	*dir;		/* D= */
	char	*user;		/* U= */
	char	*eol;		/* E= */
	long	 maxline;	/* L= */
	long	 maxsize;	/* M= */
	char	*raw;		/* the whole definition after the name */
};

enum cf_mode {			/* which configuration a mode reads */
	CF_MTA,			/* sendmail.cf */
	CF_MSP			/* submit.cf */
};

/* Options by the part that uses them.  A lower floor's configuration is
 * a struct its own header declares (tls/tls.h: struct tls_conf), so that
 * library never sees struct cf. */

struct cf_auth {		/* SMTP AUTH (RFC 4954) through Cyrus SASL */
	char	*mechanisms;		/* AuthMechanisms, default "PLAIN LOGIN" */
	int	 options;		/* AuthOptions, AUTHOPT_*, default p */
	char	*realm;			/* AuthRealm, NULL: $j */
	char	*pwcheck_method;	/* AuthPwcheckMethod (sockmail) */
	char	*auxprop_plugin;	/* AuthAuxpropPlugin (sockmail) */
	char	*sasldb_path;		/* AuthSasldbPath (sockmail) */
};

struct cf_timeouts {		/* Timeout.* (r), in seconds */
	int	 command;		/* Timeout.command, default 300 */
	int	 auth;			/* Timeout.auth, default 600 */
	int	 res_retrans;		/* Timeout.resolver.retrans, 0: resolv.conf */
	int	 res_retry;		/* Timeout.resolver.retry, 0: resolv.conf */
	int	 datablock;		/* Timeout.datablock, default 3600 */
	int	 initial;		/* Timeout.initial (client), default 300 */
	int	 queuereturn;		/* Timeout.queuereturn, default 5d */
	int	 queuewarn;		/* Timeout.queuewarn, default 4h */
	int	 starttls;		/* Timeout.starttls, default 1h */
};

struct cf_queue {		/* the queue and how a message enters it */
	char	*dir;			/* QueueDirectory (Q) */
	mode_t	 file_mode;		/* QueueFileMode, default 0600 */
	int	 commit_syncfs;		/* QueueCommit (sockmail): 0 = fsync each file, 1 = syncfs */
	long	 min_free_blocks;	/* MinFreeBlocks (b), default 100 */
	char	 delivery_mode;		/* DeliveryMode (d): 'b','i','q','d' */
};

struct cf_limits {		/* what one client, or all of them, may take */
	long	 max_message_size;	/* MaxMessageSize, 0 = unlimited */
	int	 max_rcpts;		/* MaxRecipientsPerMessage, 0 = unlimited */
	int	 max_daemon_children;	/* MaxDaemonChildren, 0 = unlimited */
	int	 max_hop_count;		/* MaxHopCount (h), default 25 */
	int	 max_bad_commands;	/* MaxBadCommands (sockmail), default 25 */
	int	 max_noop_commands;	/* MaxNOOPCommands, default 20 */
	int	 conn_rate_throttle;	/* ConnectionRateThrottle, 0 = off */
	int	 refuse_la;		/* RefuseLA; -1: 12 per CPU; 0 = off */
	int	 reject_log_interval;	/* RejectLogInterval, default 3h */
	int	 bad_rcpt_throttle;	/* BadRcptThrottle, 0 = off */
	int	 bad_rcpt_delay;	/* BadRcptThrottleDelay, default 1 s */
	int	 max_headers_length;	/* MaxHeadersLength, default 32768 */
	int	 greet_pause_ms;	/* GreetPause (sockmail), ms, default 0 */
};

struct cf {
	char	*path;			/* file this was read from */

	struct tls_conf	   tls;		/* STARTTLS, server side */
	struct cf_auth	   auth;
	struct cf_timeouts to;
	struct cf_queue	   queue;
	struct cf_limits   lim;

	/* The other options sockmail implements (sendmail names). */
	char	*alias_file;		/* AliasFile (A) first file, NULL if none */
	char	*run_as_user;		/* RunAsUser (user[:group]) or NULL */
	char	*trusted_user;		/* TrustedUser */
	char	*default_user;		/* DefaultUser (u/g) */
	int	 privacy;		/* PrivacyOptions (p), PRIV_* bits */
	int	 log_level;		/* LogLevel (L), default 9 */
	int	 reject_nul;		/* RejectNUL */
	int	 use_msp;		/* UseMSP */
	int	 dont_probe_interfaces;	/* DontProbeInterfaces */
	int	 eight_bit_mode;	/* EightBitMode (8): 'p','m','s' */
	int	 allow_bogus_helo;	/* AllowBogusHELO */
	char	*smtp_greeting;		/* SmtpGreetingMessage (unexpanded) */
	char	*help_file;		/* HelpFile (H) */
	char	*pid_file;		/* PidFile */
	char	*dead_letter_drop;	/* DeadLetterDrop */
	char	*mail_spool_dir;	/* MailSpoolDirectory (sockmail), NULL: /var/mail */
	char	*forward_path;		/* ForwardPath (J) */
	char	*dont_blame;		/* DontBlameSendmail, raw */
	int	 allow_root_session;	/* SessionAsRoot (sockmail): allow an SMTP session as root */
	int	 unix_socket_trusted;	/* UnixSocketTrusted (sockmail): an AF_UNIX peer is local */
	struct strlist daemon_port_options; /* DaemonPortOptions (O), repeatable */

	/* Options present in the file that sockmail does not implement. */
	struct strlist unimplemented;
	/* ... and those it keeps for a part not built yet, as -bC says it:
	 * "Name is read and checked; it takes effect with ...". */
	struct strlist pending;

	struct cf_macro	*macros;
	size_t		 nmacros;
	struct cf_class	*classes;
	size_t		 nclasses;
	struct cf_map	*maps;
	size_t		 nmaps;
	struct cf_mailer *mailers;
	size_t		 nmailers;

	/* The S lines as cf_read() saw them, in order (a name given twice
	 * is there twice), each with its R lines counted.  A fixed table:
	 * a session reads its config and must not pay for this, and
	 * cf_free() has nothing to free; those past the end are counted. */
	struct cf_ruleset rulesets[CF_RULESETS_MAX];
	size_t		 nrulesets;
	size_t		 nrulesets_lost;
};

/* Fill *cf with built-in defaults (also what an empty file gives). */
void	cf_defaults(struct cf *);

/* Read and parse a file into *cf (which cf_defaults() prepared).  On error
 * writes "FILE: line N: reason" into err and returns -1; returns 0 on
 * success.  A missing file is an error too (err says so). */
int	cf_read(struct cf *, const char *path, struct buf *err);

/* Parse config text (for tests and fuzzing); name is used in messages. */
int	cf_parse(struct cf *, const char *name, const char *text, size_t len,
	    struct buf *err);

/* Apply one option from the command line: "Name=value" (-O) or a one-letter
 * form "Xvalue" (-oXvalue).  Returns 0, or -1 with a message in err. */
int	cf_set_option(struct cf *, const char *nameval, struct buf *err);
int	cf_set_short_option(struct cf *, const char *xvalue, struct buf *err);

/* Macros: name without braces ("j", "client_addr"). NULL if undefined. */
const char *cf_macro(const struct cf *, const char *name);
void	cf_set_macro(struct cf *, const char *name, const char *value);

/* Classes: is word (case-insensitive) in class name? */
int	cf_class_has(const struct cf *, const char *name, const char *word);
const struct strlist *cf_class(const struct cf *, const char *name);
void	cf_class_add(struct cf *, const char *name, const char *word);

const struct cf_mailer *cf_mailer(const struct cf *, const char *name);
const struct cf_map *cf_map(const struct cf *, const char *name);

/* Expand $x, ${name}, $?x ... $| ... $. (conditionals) in tmpl, looking
 * macros up in cf.  Unknown macros expand to "". */
void	cf_expand(const struct cf *, const char *tmpl, struct buf *out);

/* Parse a sendmail time value ("5m", "1h30m", "2d", "30" = seconds unless
 * unit given) into seconds; -1 if malformed. */
long	cf_parse_time(const char *s, char default_unit);

void	cf_free(struct cf *);

void	strlist_add(struct strlist *, const char *);
void	strlist_free(struct strlist *);

#endif
