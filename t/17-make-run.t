#!/bin/sh
# The README's first command: make run serves a private MTA to which
# "swaks --to someone@localhost" delivers a message that then sits intact
# in ./run/mqueue.  (Run here in a scratch directory on a free port.)
. "${0%/*}/lib.sh"
setup

PORT=$(free_port)
cd "$T" || bail "cd"
PORT=$PORT bg sh "$T_DIR/run-local.sh" "$SM" > "$T/run.out" 2>&1
wait_port "$PORT" || { cat "$T/run.out"; bail "make run did not listen"; }
# The script says so once it has seen the port bound (t/301), a moment
# after a client could connect: wait for its words, not only the port.
wait_for 10 grep -q 'swaks --server' "$T/run.out"
like "$(cat "$T/run.out")" "swaks --server 127.0.0.1:$PORT --to someone@localhost" \
    "it prints how to send a test mail"
out=$(swaks_at "$PORT" --to someone@localhost \
    --from tester@example.org --header 'Subject: make run' --body 'hello from swaks')
ok $? "swaks --to someone@localhost succeeds"
id=$(qid_of "$out")
[ -n "$id" ]; ok $? "the 250 names the queue id ($id)"
qf="$T/run/mqueue/qf$id"
[ -f "$qf" ] && [ -f "$T/run/mqueue/df$id" ]; ok $? "qf and df are in ./run/mqueue"
like "$(cat "$qf")" "^RPFD:<someone@localhost>$" "the qf names the recipient"
like "$(cat "$qf")" "^H\?\?Subject: make run$" "and keeps the header"
is "$(tail -n 1 "$qf")" "." "and is complete"
like "$(cat "$T/run/mqueue/df$id")" "hello from swaks" "the df holds the body"
listing=$("$SM" -bp -C "$T/run/sendmail.cf")
like "$listing" "$id .*<tester@example.org>" "sendmail -bp lists it, as the README says"
if is_root; then
	is "$(stat -c %U "$qf")" smmta "as root, the sessions ran as smmta"
fi
done_testing
