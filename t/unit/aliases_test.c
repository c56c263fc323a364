/* aliases_test.c - the aliases parser, newaliases and lookups. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "mail/aliases.h"
#include "lib/buf.h"
#include "tap.h"

static char dir[] = "/tmp/aliases_test.XXXXXX";

/* Collects "LINE:lhs=rhs\n" for every alias the parser reports. */
static int
collect(void *arg, const char *lhs, const char *rhs, unsigned line)
{
	buf_printf(arg, "%u:%s=%s\n", line, lhs, rhs);
	return 0;
}

static int
stop_at_first(void *arg, const char *lhs, const char *rhs, unsigned line)
{
	collect(arg, lhs, rhs, line);
	return -1;
}

static int
parse(const char *text, struct buf *got, struct buf *err)
{
	buf_reset(got);
	buf_reset(err);
	return aliases_parse("al", text, strlen(text), collect, got, err);
}

static void
test_good(void)
{
	struct buf got = BUF_INIT, err = BUF_INIT;
	const char *text =
	    "# comment\n"
	    "\n"
	    "root: admin\n"
	    "Postmaster:root\n"
	    "list: a,  b ,c,\n"
	    "\td@example.org,\n"
	    "   \n"
	    "# a comment does not end an entry\n"
	    "  e\n"
	    "\"Quoted Name\" : x\n"
	    "\"a\\\"b\": y\n"
	    "prog: \"|/usr/bin/prog -a, b\", /var/mail/f, :include:/etc/l\n"
	    "spaces:   Joe \t Smith <joe@x>  ,  \"two  spaces\"  \n"
	    "comment: bob (Bob, Smith), <@a,@b:c@d>\n"
	    "esc: \\root, a\\,b\n"
	    "nonl: last";

	is_int(parse(text, &got, &err), 0, "clean text: no errors");
	is_str(buf_str(&got),
	    "3:root=admin\n"
	    "4:postmaster=root\n"
	    "5:list=a,b,c,d@example.org,e\n"
	    "10:quoted name=x\n"
	    "11:a\"b=y\n"
	    "12:prog=\"|/usr/bin/prog -a, b\",/var/mail/f,:include:/etc/l\n"
	    "13:spaces=Joe Smith <joe@x>,\"two  spaces\"\n"
	    "14:comment=bob (Bob, Smith),<@a,@b:c@d>\n"
	    "15:esc=\\root,a\\,b\n"
	    "16:nonl=last\n",
	    "names lower-cased and dequoted, items normalised");
	is_str(buf_str(&err), "", "no error text");

	is_int(parse("a: b\r\nC: d,\r\n e\r\n", &got, &err), 0, "CRLF text");
	is_str(buf_str(&got), "1:a=b\n2:c=d,e\n", "CR stripped");
	is_int(parse("", &got, &err), 0, "empty text");
	is_str(buf_str(&got), "", "empty text: no aliases");

	buf_reset(&got);
	is_int(aliases_parse("al", "a: 1\nb: 2\n", 10, stop_at_first, &got,
	    &err), 0, "callback stop");
	is_str(buf_str(&got), "1:a=1\n", "callback returning -1 stops");
	buf_free(&got);
	buf_free(&err);
}

static void
test_errors(void)
{
	struct buf got = BUF_INIT, err = BUF_INIT, text = BUF_INIT;
	int i;

	buf_adds(&text,
	    "  orphan\n"			/* 1 */
	    "good: x\n"				/* 2 */
	    "nocolon here\n"			/* 3 */
	    "  skipped with its entry\n"	/* 4 */
	    ": x\n"				/* 5 */
	    "empty:\n"				/* 6 */
	    "commas: , ,\n"			/* 7 */
	    "\"open: x\n"			/* 8 */
	    "two words: x\n"			/* 9 */
	    "user@host: x\n"			/* 10 */
	    "q: \"open\n"			/* 11 */
	    "GOOD: y\n"				/* 12 */
	    "p: a (b\n"				/* 13 */
	    "r: <a\n"				/* 14 */
	    "\"@\": x\n"			/* 15 */
	    "i: :include:\n"			/* 16 */
	    "pipe: |\n"				/* 17 */
	    "ctl: a\001b\n"			/* 18 */
	    "\"\": x\n"				/* 19 */
	    "long: ");				/* 20 */
	for (i = 0; i < 4091; i++)
		buf_addc(&text, 'a');
	buf_adds(&text, "\n  more of the long one\nmax: ");	/* 21, 22 */
	for (i = 0; i < 4091; i++)
		buf_addc(&text, 'b');
	buf_adds(&text, "\nlast: z\n");			/* 23 */

	is_int(aliases_parse("al", text.s, text.len, collect, &got, &err), 18,
	    "18 errors counted");
	is_str(buf_str(&err),
	    "al: line 1: continuation line without an alias\n"
	    "al: line 3: missing colon\n"
	    "al: line 5: empty alias name\n"
	    "al: line 6: empty right-hand side for alias empty\n"
	    "al: line 7: empty right-hand side for alias commas\n"
	    "al: line 8: unbalanced '\"' in alias name\n"
	    "al: line 9: blank in alias name (quote the name)\n"
	    "al: line 10: cannot alias non-local name\n"
	    "al: line 11: unbalanced '\"'\n"
	    "al: line 12: warning: duplicate alias name good (first at line 2)\n"
	    "al: line 13: unbalanced '('\n"
	    "al: line 14: unbalanced '<'\n"
	    "al: line 15: alias name \"@\" is reserved\n"
	    "al: line 16: empty :include: file name\n"
	    "al: line 17: empty program name after '|'\n"
	    "al: line 18: control character or NUL in line\n"
	    "al: line 19: empty alias name\n"
	    "al: line 20: line too long (more than 4096 octets)\n",
	    "one error line each, with file and line");
	ok(strstr(buf_str(&got), "2:good=x\n12:good=y\n") != NULL,
	    "duplicate still passed on (the later wins in the map)");
	ok(strstr(buf_str(&got), "22:max=bbb") != NULL,
	    "a line of exactly 4096 octets is accepted");
	ok(strstr(buf_str(&got), "more of the long") == NULL,
	    "continuation of a dropped entry is dropped");
	ok(strstr(buf_str(&got), "23:last=z\n") != NULL,
	    "parsing goes on after errors");

	is_int(parse("sp: a b, \"|/bin/x y\"\nok: \"|/bin/x y\", a\\ b\n",
	    &got, &err), 1, "unquoted blank in an item");
	is_str(buf_str(&err),
	    "al: line 1: blank in address (missing comma, or quote it)\n",
	    "a missing comma is caught");
	is_str(buf_str(&got), "2:ok=\"|/bin/x y\",a\\ b\n",
	    "quoted or escaped blanks are kept");
	buf_free(&got);
	buf_free(&err);
	buf_free(&text);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		exit(1);
	}
	fchmod(fd, mode);
	close(fd);
}

static int
tmp_files_left(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		n += strstr(de->d_name, ".tmp") != NULL;
	if (d != NULL)
		closedir(d);
	return n;
}

static void
test_build(void)
{
	struct buf text = BUF_INIT, db = BUF_INIT, err = BUF_INIT;
	struct buf out = BUF_INIT;
	struct stat st;
	long n = -1;

	buf_printf(&text, "%s/aliases", dir);
	buf_printf(&db, "%s/aliases.db", dir);
	write_file(text.s, "# test\nroot: admin\nPostMaster: root\n"
	    "list: a, b,\n  \"|/bin/prog x\"\n", 0640);
	is_int(aliases_build(text.s, &n, &err), EX_OK, "build: EX_OK");
	is_int(n, 3, "build: 3 aliases");
	is_str(buf_str(&err), "", "build: no errors");
	ok(stat(db.s, &st) == 0 && S_ISREG(st.st_mode), "build: map exists");
	is_int(st.st_mode & 07777, 0640, "map mode follows the text (0640)");
	is_int(tmp_files_left(), 0, "no .tmp file left");

	is_int(aliases_lookup(text.s, "ROOT", &out, &err), 1, "lookup ROOT");
	is_str(buf_str(&out), "admin", "ROOT -> admin (case-insensitive)");
	is_int(aliases_lookup(text.s, "postmaster", &out, &err), 1,
	    "lookup postmaster");
	is_str(buf_str(&out), "root", "postmaster -> root");
	is_int(aliases_lookup(text.s, "list", &out, &err), 1, "lookup list");
	is_str(buf_str(&out), "a,b,\"|/bin/prog x\"", "list value joined");
	is_int(aliases_lookup(text.s, "nobody", &out, &err), 0,
	    "missing key -> 0");
	is_int(aliases_lookup(text.s, "", &out, &err), 0, "empty key -> 0");
	is_int(aliases_lookup(text.s, "@", &out, &err), 1,
	    "\"@\" marks a complete map");
	is_str(buf_str(&err), "", "lookups: no error text");

	/* A rebuild replaces the map; the open handle keeps the old one. */
	write_file(text.s, "root: newadmin\n", 0664);
	is_int(aliases_build(text.s, &n, &err), EX_OK, "rebuild: EX_OK");
	is_int(n, 1, "rebuild: 1 alias");
	is_int(aliases_lookup(text.s, "root", &out, &err), 1,
	    "lookup on the handle opened before the rebuild");
	is_str(buf_str(&out), "admin", "old handle reads the old map");
	aliases_close();
	is_int(aliases_lookup(text.s, "root", &out, &err), 1,
	    "lookup after aliases_close");
	is_str(buf_str(&out), "newadmin", "new handle reads the new map");
	is_int(aliases_lookup(text.s, "list", &out, &err), 0,
	    "alias gone from the new map");
	ok(stat(db.s, &st) == 0 && (st.st_mode & 07777) == 0644,
	    "a 0664 text gives a 0644 map (never writable but by owner)");
	aliases_close();

	buf_free(&text);
	buf_free(&db);
	buf_free(&err);
	buf_free(&out);
}

static void
test_build_errors(void)
{
	struct buf text = BUF_INIT, err = BUF_INIT, out = BUF_INIT;
	struct buf want = BUF_INIT;
	long n = -1;

	buf_printf(&text, "%s/bad", dir);
	write_file(text.s, "a: 1\nbroken\nb: 2\na: 3\n", 0644);
	is_int(aliases_build(text.s, &n, &err), EX_DATAERR,
	    "text with errors: EX_DATAERR");
	is_int(n, 3, "the good entries are stored");
	buf_printf(&want, "%s: line 2: missing colon\n"
	    "%s: line 4: warning: duplicate alias name a (first at line 1)\n",
	    text.s, text.s);
	is_str(buf_str(&err), want.s, "errors name file and line");
	is_int(aliases_lookup(text.s, "a", &out, &err), 1, "lookup a");
	is_str(buf_str(&out), "3", "duplicate: the later definition wins");
	is_int(aliases_lookup(text.s, "B", &out, &err), 1, "lookup B");
	aliases_close();

	buf_reset(&err);
	buf_reset(&text);
	buf_printf(&text, "%s/none", dir);
	is_int(aliases_build(text.s, &n, &err), EX_NOINPUT,
	    "missing text: EX_NOINPUT");
	is_int(n, 0, "missing text: count 0");
	ok(strstr(buf_str(&err), "/none: cannot open: No such file") != NULL,
	    "missing text: message names the file");
	buf_reset(&err);
	is_int(aliases_lookup(text.s, "a", &out, &err), -1,
	    "missing map: lookup -> -1");
	ok(strstr(buf_str(&err), "none.db: No such file") != NULL,
	    "missing map: err explains");
	aliases_close();
	buf_reset(&err);
	is_int(aliases_build("", &n, &err), EX_CONFIG, "no AliasFile: EX_CONFIG");
	is_int(tmp_files_left(), 0, "still no .tmp file left");

	buf_free(&text);
	buf_free(&err);
	buf_free(&out);
	buf_free(&want);
}

static void
cleanup(void)
{
	struct dirent *de;
	struct buf p = BUF_INIT;
	DIR *d = opendir(dir);

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&p);
		buf_printf(&p, "%s/%s", dir, de->d_name);
		unlink(p.s);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
	buf_free(&p);
}

int
main(void)
{
	test_good();
	test_errors();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_build();
	test_build_errors();
	cleanup();
	return done_testing();
}
