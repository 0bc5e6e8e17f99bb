# bash completion for mapscope and soload.
#
# Subcommands, options and option values are read from the tools' own
# --help, so completion cannot fall behind the command lines.
# Installed as share/bash-completion/completions/{mapscope,soload}.

# The subcommands of $1: the "commands:" list of "$1 --help", or its usage
# lines "  prog NAME ...".
_mapscope_commands()
{
	"$1" --help 2>&1 | awk -v prog="${1##*/}" '
		/^commands:/ { listed = 1; next }
		listed && /^  [a-z]/ { print $1 }
		!listed && /^  / && $1 == prog && $2 ~ /^[a-z]+$/ { print $2 }'
}

# The long options that "$1 $2 --help" mentions.
_mapscope_options()
{
	"$1" "$2" --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# The values "$1 $2 --help" lists for option $3, written "--opt a|b|c"
# (on every usage line that has it: maps --all adds prometheus).
_mapscope_values()
{
	"$1" "$2" --help 2>&1 | grep -o -- "$3[ =][a-z][a-z_|-]*" |
		cut -c "$((${#3} + 2))-" | tr '|' '\n' | sort -u
}

_mapscope()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local prog=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]} values i

	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(_mapscope_commands "$prog") --help" -- "$cur"))
		return
	fi
	# After "--" comes a command line of its own (mapscope faults -- CMD).
	for ((i = 2; i < COMP_CWORD; i++)); do
		if [ "${COMP_WORDS[i]}" = "--" ]; then
			[ "$i" -eq $((COMP_CWORD - 1)) ] && COMPREPLY=($(compgen -c -- "$cur"))
			return
		fi
	done
	if [[ $prev == --* ]]; then
		values=$(_mapscope_values "$prog" "$cmd" "$prev")
		if [ -n "$values" ]; then
			COMPREPLY=($(compgen -W "$values" -- "$cur"))
			return
		fi
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_mapscope_options "$prog" "$cmd")" -- "$cur"))
		return
	fi
	# Process arguments: "self" and the running pids; anything else is a
	# path, which readline completes (-o default).
	case $cmd in
	maps | watch)
		COMPREPLY=($(compgen -W "self $(cd /proc && echo [0-9]*)" -- "$cur"))
		;;
	libs)
		COMPREPLY=($(compgen -W "$(cd /proc && echo [0-9]*)" -- "$cur"))
		;;
	esac
}

complete -o default -F _mapscope mapscope soload
