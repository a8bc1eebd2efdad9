# tmux_lib.sh - sourced by the TUI tests: crashdesk runs in tmux, keys are
# typed with send-keys, the screen is read with capture-pane. The sourcing
# script sets sock (the tmux server's name), tmp (a scratch directory),
# optionally cols (the session's width, 120) and seen (a file every
# captured screen is appended to), and defines ok and fail.

tm() { tmux -L "$sock" -f /dev/null "$@"; }
screen() { tm capture-pane -p -t t | tee -a "${seen:-/dev/null}"; }
# wait_for TEXT [SECONDS]: until the screen shows TEXT (a fixed string).
wait_for() {
	i=0 limit=$(( ${2:-10} * 20 ))
	while [ $i -lt $limit ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
# wait_gone TEXT: until the screen no longer shows it.
wait_gone() {
	i=0
	while [ $i -lt 200 ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
keys() { tm send-keys -t t "$@"; }
# start CMD...: a session ${cols}x40 running the command in a shell that
# says how it ended, so quitting can be checked on the restored screen.
start() {
	# A session that outlives the others keeps the server up: killing the
	# last session stops it, and a session started then could be lost.
	tm has-session -t keep 2>/dev/null || tm new-session -d -s keep -x 20 -y 5 "sleep 3600"
	tm kill-session -t t 2>/dev/null
	tm new-session -d -s t -x "${cols:-120}" -y 40 \
		"cd '$tmp' && $* ; echo \"EXITED \$?\"; sleep 60"
	tm set-option -t t -g set-clipboard on 2>/dev/null
}
check() { # check NAME TEXT [SECONDS]: the screen shows TEXT
	if wait_for "$2" "${3:-10}"; then ok "$1"; else fail "$1" "no \"$2\" on screen:
$(screen)"; fi
}
