/* cf_opttab.c - the tables of sendmail.cf options (see cf_opttab.h):
 * every option's name, letter, type, bounds and field, the Timeout.*
 * names, PrivacyOptions' words and the options -bC calls pending. */
#include "cf.h"

#include <limits.h>
#include <stddef.h>

#include "cf_opttab.h"

#define U(n, l)	{ n, l, OT_UNIMPL, 0, 0, 0, 0 }
#define I(n, l, t, f, fld, lo, hi) \
	{ n, l, t, f, offsetof(struct cf, fld), lo, hi }
#define L(n, l, t, f, fld, lo, hi) \
	{ n, l, t, (f) | F_LATER, offsetof(struct cf, fld), lo, hi }

/* Every option sendmail 8.17 knows, and sockmail's own (AuthAuxpropPlugin,
 * AuthPwcheckMethod, AuthSasldbPath, GreetPause, MailSpoolDirectory,
 * MaxBadCommands,
 * QueueCommit, SessionAsRoot, TLSPriority, UnixSocketTrusted).  I() entries set a field
 * of struct cf, U() ones are listed in cf->unimplemented.  Sorted by
 * strcasecmp(), for the binary search in cf_opt.c's lookup();
 * t/unit/cf_test.c looks every name up. */
const struct opt cfi_opts[] = {
	I("AliasFile", 'A', OT_ALIAS, 0, alias_file, 0, 0),
	U("AliasWait", 'a'),
	I("AllowBogusHELO", 0, OT_BOOL, 0, allow_bogus_helo, 0, 1),
	I("AuthAuxpropPlugin", 0, OT_STR, S_NULL, auth.auxprop_plugin, 0, 0),
	U("AuthMaxBits", 0),
	I("AuthMechanisms", 0, OT_STR, S_KEEP, auth.mechanisms, 0, 0),
	I("AuthOptions", 0, OT_AUTHOPT, 0, auth.options, 0, 0),
	I("AuthPwcheckMethod", 0, OT_STR, S_NULL, auth.pwcheck_method, 0, 0),
	I("AuthRealm", 0, OT_STR, S_NULL, auth.realm, 0, 0),
	I("AuthSasldbPath", 0, OT_STR, S_NULL, auth.sasldb_path, 0, 0),
	U("AutoRebuildAliases", 'D'),
	I("BadRcptThrottle", 0, OT_INT, 0, lim.bad_rcpt_throttle, 0, INT_MAX),
	I("BadRcptThrottleDelay", 0, OT_SECS, 0, lim.bad_rcpt_delay, 0, 3600),
	U("BlankSub", 'B'),
	I("CACertFile", 0, OT_STR, S_NULL, tls.ca_file, 0, 0),
	I("CACertPath", 0, OT_STR, S_NULL, tls.ca_path, 0, 0),
	U("CertFingerprintAlgorithm", 0), U("CheckAliases", 'n'),
	U("CheckpointInterval", 'C'), U("CipherList", 0),
	U("ClassFactor", 'z'), U("ClientCertFile", 0), U("ClientKeyFile", 0),
	U("ClientPortOptions", 0), U("ClientSSLOptions", 0),
	U("ColonOkInAddr", 0), U("ConnectionCacheSize", 'k'),
	U("ConnectionCacheTimeout", 'K'),
	I("ConnectionRateThrottle", 0, OT_INT, 0, lim.conn_rate_throttle, 0,
	    INT_MAX),
	U("ConnectionRateWindowSize", 0), U("ConnectOnlyTo", 0),
	U("ControlSocketName", 0), U("CRLFile", 0), U("CRLPath", 0),
	I("DaemonPortOptions", 'O', OT_LIST, 0, daemon_port_options, 0, 0),
	U("DANE", 0), U("DataFileBufferSize", 0),
	L("DeadLetterDrop", 0, OT_STR, S_NULL, dead_letter_drop, 0, 0),
	U("DefaultAuthInfo", 0), U("DefaultCharSet", 0),
	L("DefaultUser", 'u', OT_STR, S_NULL, default_user, 0, 0),
	U("DelayLA", 0), U("DeliverByMin", 0),
	I("DeliveryMode", 'd', OT_DMODE, 0, queue.delivery_mode, 0, 0),
	U("DHParameters", 0), U("DialDelay", 0),
	U("DirectSubmissionModifiers", 0),
	L("DontBlameSendmail", 0, OT_STR, S_NULL, dont_blame, 0, 0),
	U("DontExpandCnames", 0), U("DontInitGroups", 0),
	U("DontLockFilesForRead", 0),
	I("DontProbeInterfaces", 0, OT_DPI, 0, dont_probe_interfaces, 0, 2),
	U("DontPruneRoutes", 'R'), U("DoubleBounceAddress", 0),
	L("EightBitMode", '8', OT_8BIT, 0, eight_bit_mode, 0, 0),
	U("ErrorHeader", 'E'), U("ErrorMode", 'e'),
	U("FallbackMXhost", 'V'), U("FallbackSmartHost", 0),
	U("FastSplit", 0), U("ForkEachJob", 'Y'),
	L("ForwardPath", 'J', OT_STR, S_NULL, forward_path, 0, 0),
	I("GreetPause", 0, OT_GREET, 0, lim.greet_pause_ms, 0, 3600000),
	U("HeloName", 0),
	L("HelpFile", 'H', OT_STR, S_NULL, help_file, 0, 0),
	U("HoldExpensive", 'c'), U("HostsFile", 0),
	U("HostStatusDirectory", 0), U("IgnoreDots", 'i'),
	U("InputMailFilters", 0), U("LDAPDefaultSpec", 0),
	I("LogLevel", 'L', OT_INT, 0, log_level, 0, 99),
	U("MailboxDatabase", 0),
	I("MailSpoolDirectory", 0, OT_STR, S_NULL, mail_spool_dir, 0, 0),
	U("MatchGECOS", 'G'),
	U("MaxAliasRecursion", 0),
	I("MaxBadCommands", 0, OT_INT, 0, lim.max_bad_commands, 0, INT_MAX),
	I("MaxDaemonChildren", 0, OT_INT, 0, lim.max_daemon_children, 0, INT_MAX),
	I("MaxHeadersLength", 0, OT_INT, 0, lim.max_headers_length, 0, 1048576),
	I("MaxHopCount", 'h', OT_INT, 0, lim.max_hop_count, 1, 10000),
	I("MaxMessageSize", 0, OT_LONG, N_SUFFIX, lim.max_message_size, 0,
	    LONG_MAX),
	U("MaxMimeHeaderLength", 0),
	I("MaxNOOPCommands", 0, OT_INT, 0, lim.max_noop_commands, 0, INT_MAX),
	U("MaxQueueAge", 0), U("MaxQueueChildren", 0), U("MaxQueueRunSize", 0),
	I("MaxRecipientsPerMessage", 0, OT_INT, 0, lim.max_rcpts, 0, INT_MAX),
	U("MaxRunnersPerQueue", 0), U("MeToo", 'm'),
	U("Milter.LogLevel", 0), U("Milter.macros.connect", 0),
	U("Milter.macros.data", 0), U("Milter.macros.envfrom", 0),
	U("Milter.macros.envrcpt", 0), U("Milter.macros.eoh", 0),
	U("Milter.macros.eom", 0), U("Milter.macros.helo", 0),
	I("MinFreeBlocks", 'b', OT_LONG, 0, queue.min_free_blocks, 0, LONG_MAX),
	U("MinQueueAge", 0), U("MustQuoteChars", 0), U("NiceQueueRun", 0),
	U("NoRecipientAction", 0), U("OldStyleHeaders", 'o'),
	U("OperatorChars", 0),
	L("PidFile", 0, OT_STR, S_NULL, pid_file, 0, 0),
	U("PostmasterCopy", 'P'),
	I("PrivacyOptions", 'p', OT_PRIV, 0, privacy, 0, 0),
	U("ProcessTitlePrefix", 0),
	I("QueueCommit", 0, OT_COMMIT, 0, queue.commit_syncfs, 0, 0),
	I("QueueDirectory", 'Q', OT_STR, S_REQ, queue.dir, 0, 0),
	U("QueueFactor", 'q'),
	I("QueueFileMode", 0, OT_MODE, 0, queue.file_mode, 0, 0777),
	U("QueueLA", 'x'), U("QueueSortOrder", 0),
	L("QueueTimeout", 'T', OT_QTIMEOUT, 0, to.queuereturn, 0, 0),
	U("RandFile", 0), U("RecipientFactor", 'y'),
	I("RefuseLA", 'X', OT_INT, 0, lim.refuse_la, 0, INT_MAX),
	I("RejectLogInterval", 0, OT_SECS, 0, lim.reject_log_interval, 0,
	    INT_MAX),
	I("RejectNUL", 0, OT_BOOL, 0, reject_nul, 0, 1),
	U("RequiresDirfsync", 0), U("ResolverOptions", 'I'),
	U("RetryFactor", 'Z'), U("RrtImpliesDsn", 0),
	I("RunAsUser", 0, OT_STR, S_NULL, run_as_user, 0, 0),
	U("SafeFileEnvironment", 0), U("SaveFromLine", 'f'),
	U("SendMimeErrors", 'j'),
	I("ServerCertFile", 0, OT_STR, S_NULL, tls.cert_file, 0, 0),
	I("ServerKeyFile", 0, OT_STR, S_NULL, tls.key_file, 0, 0),
	U("ServerSSLOptions", 0),
	U("ServiceSwitchFile", 0),
	I("SessionAsRoot", 0, OT_BOOL, 0, allow_root_session, 0, 1),
	U("SetCertAltnames", 0), U("SevenBitInput", '7'),
	U("SharedMemoryKey", 0), U("SharedMemoryKeyFile", 0),
	U("SingleLineFromHeader", 0), U("SingleThreadDelivery", 0),
	I("SmtpGreetingMessage", 0, OT_STR, S_KEEP, smtp_greeting, 0, 0),
	U("SMTPUTF8", 0), U("SoftBounce", 0), U("SSLEngine", 0),
	U("SSLEnginePath", 0), U("StatusFile", 'S'), U("SuperSafe", 's'),
	U("TempFileMode", 'F'),
	I("Timeout", 'r', OT_TIMEOUT, 0, to.command, 0, 0),
	U("TimeZoneSpec", 't'), U("TLSFallbacktoClear", 0),
	I("TLSPriority", 0, OT_STR, S_NULL, tls.priority, 0, 0),
	I("TLSSrvOptions", 0, OT_TLSSRV, 0, tls.srv_options, 0, 0),
	L("TrustedUser", 0, OT_STR, S_NULL, trusted_user, 0, 0),
	U("TryNullMXList", 'w'), U("UnixFromLine", 0),
	I("UnixSocketTrusted", 0, OT_BOOL, 0, unix_socket_trusted, 0, 1),
	U("UnsafeGroupWrites", 0), U("UseCompressedIPv6Addresses", 0),
	U("UseErrorsTo", 'l'),
	I("UseMSP", 0, OT_BOOL, 0, use_msp, 0, 1),
	U("UserDatabaseSpec", 'U'), U("Verbose", 'v'),
	U("XscriptFileBufferSize", 0),
};
const size_t cfi_nopts = sizeof(cfi_opts) / sizeof(cfi_opts[0]);

#define TU(n, u, s)	{ n, u, s, NOFLD }
#define TI(n, u, s, f)	{ n, u, s, offsetof(struct cf, f) }

const struct tmo cfi_tmos[] = {
	TU("aconnect", 'm', 0), TI("auth", 'm', 0, to.auth),
	TI("command", 'm', 1, to.command), TU("connect", 'm', 0),
	TU("control", 'm', 0), TI("datablock", 'm', 1, to.datablock),
	TU("datafinal", 'm', 1), TU("datainit", 'm', 1),
	TU("fileopen", 'm', 0), TU("helo", 'm', 0), TU("hoststatus", 'm', 0),
	TU("iconnect", 'm', 0), TU("ident", 'm', 0),
	TI("initial", 'm', 0, to.initial), TU("lhlo", 'm', 0),
	TU("mail", 'm', 1), TU("misc", 'm', 0),
	TI("queuereturn", 'd', 0, to.queuereturn),
	TU("queuereturn.dsn", 'd', 0), TU("queuereturn.non-urgent", 'd', 0),
	TI("queuereturn.normal", 'd', 0, to.queuereturn),
	TU("queuereturn.urgent", 'd', 0),
	TI("queuewarn", 'h', 0, to.queuewarn), TU("queuewarn.dsn", 'h', 0),
	TU("queuewarn.non-urgent", 'h', 0),
	TI("queuewarn.normal", 'h', 0, to.queuewarn),
	TU("queuewarn.urgent", 'h', 0), TU("quit", 'm', 0),
	TU("rcpt", 'm', 1),
	/* One value each for a session's lookups: .first and .normal
	 * (sendmail's first and later delivery attempts) set it too. */
	TI("resolver.retrans", 's', 0, to.res_retrans),
	TI("resolver.retrans.first", 's', 0, to.res_retrans),
	TI("resolver.retrans.normal", 's', 0, to.res_retrans),
	TI("resolver.retry", '#', 0, to.res_retry),
	TI("resolver.retry.first", '#', 0, to.res_retry),
	TI("resolver.retry.normal", '#', 0, to.res_retry), TU("rset", 'm', 0),
	TI("starttls", 'm', 0, to.starttls),
};
const size_t cfi_ntmos = sizeof(cfi_tmos) / sizeof(cfi_tmos[0]);

const struct privword cfi_privwords[] = {
	{ "public", 0 }, { "needmailhelo", PRIV_NEEDMAILHELO },
	{ "needexpnhelo", PRIV_NEEDEXPNHELO },
	{ "needvrfyhelo", PRIV_NEEDVRFYHELO },
	{ "noexpn", PRIV_NOEXPN | PRIV_NOVERB }, { "novrfy", PRIV_NOVRFY },
	{ "noetrn", PRIV_NOETRN }, { "noverb", PRIV_NOVERB },
	{ "restrictmailq", PRIV_RESTRICTMAILQ },
	{ "restrictqrun", PRIV_RESTRICTQRUN },
	{ "restrictexpand", PRIV_RESTRICTEXPAND },
	{ "noreceipts", PRIV_NORECEIPTS }, { "nobodyreturn", PRIV_NOBODYRETN },
	{ "goaway", PRIV_GOAWAY }, { "authwarnings", PRIV_AUTHWARNINGS },
	{ "noactualrecipient", PRIV_NOACTUALRECIPIENT },
};
const size_t cfi_nprivwords = sizeof(cfi_privwords) /
    sizeof(cfi_privwords[0]);

/* Options read, checked and kept now whose effect belongs to a part of
 * sockmail not built yet: `sendmail -bC` says so instead of letting them
 * pass for working. */
const struct pending cfi_pending[] = {
#define LATER(part)	"it takes effect with " part ", not built yet"
	{ "DeadLetterDrop", LATER("the queue runner") },
	{ "DefaultUser", LATER("local delivery") },
	{ "DontBlameSendmail", "sockmail's file checks cannot be relaxed" },
	{ "EightBitMode", LATER("delivery") },
	{ "ForwardPath", LATER("local delivery") },
	{ "HelpFile", "HELP's text is built in, the file is not read" },
	{ "PidFile", LATER("the listener's pid file") },
	{ "QueueTimeout", LATER("the queue runner") },
	{ "Timeout.initial", LATER("the SMTP client") },
	{ "Timeout.queuereturn", LATER("the queue runner") },
	{ "Timeout.queuereturn.normal", LATER("the queue runner") },
	{ "Timeout.queuewarn", LATER("the queue runner") },
	{ "Timeout.queuewarn.normal", LATER("the queue runner") },
	{ "TrustedUser", LATER("the submission program") },
#undef LATER
};
const size_t cfi_npending = sizeof(cfi_pending) / sizeof(cfi_pending[0]);
