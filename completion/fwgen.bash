# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for fwgen(8): commands, each command's options, --format
# values, topologies and roles (asked of `fwgen catalog list` and `fwgen
# catalog show T`, so they follow the catalog fwgen reads, FWGEN_CATALOG_DIR
# included), inventory files for -i. Needs nothing from bash-completion.

# The fwgen the user is typing (a path works too), for catalog questions.
_fwgen_bin()
{
	local bin=${COMP_WORDS[0]}

	[[ $bin == "~/"* ]] && bin=$HOME/${bin#"~/"}
	if [[ $bin == */* ]]; then
		[[ -x $bin ]] || bin=fwgen
	fi
	printf '%s\n' "$bin"
}

_fwgen_topologies()
{
	# `catalog list` starts each topology on an unindented line.
	"$(_fwgen_bin)" catalog list 2>/dev/null |
		sed -n 's/^\([a-z0-9][a-z0-9_-]*\)[[:space:]].*/\1/p'
}

# Roles of topology $1 from `catalog show`: $2 is host, peer or all.
_fwgen_roles()
{
	"$(_fwgen_bin)" catalog show "$1" 2>/dev/null | awk -v want="$2" '
		/^Host roles:/ { sect = "host"; next }
		/^Peer roles:/ { sect = "peer"; next }
		/^[^ ]/ || /^$/ { sect = ""; next }
		sect != "" && (want == "all" || want == sect) { print $1 }'
}

# The topology an inventory file names (its top-level `topology:` key).
_fwgen_inventory_topology()
{
	local file=$1

	[[ $file == "~/"* ]] && file=$HOME/${file#"~/"}
	[[ -r $file ]] || return
	sed -n 's/^topology:[[:space:]]*["'\'']\{0,1\}\([a-z0-9_-]*\).*/\1/p' \
		"$file" 2>/dev/null | head -n 1
}

# Inventory files: *.yaml and *.yml, and directories to walk into.
_fwgen_files()
{
	local IFS=$'\n'

	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -X '!*.yaml' -- "$1")
		   $(compgen -f -X '!*.yml' -- "$1")
		   $(compgen -d -- "$1"))
	if [[ ${#COMPREPLY[@]} -eq 0 ]]; then
		COMPREPLY=($(compgen -f -- "$1"))
	fi
}

_fwgen()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= cword=$COMP_CWORD
	local cmd=${COMP_WORDS[1]} opts= topology= inventory= w i
	local -a args=() roles=()

	(( cword > 0 )) && prev=${COMP_WORDS[cword - 1]}
	COMPREPLY=()

	# `--opt=value`: bash breaks the word at '=' (COMP_WORDBREAKS).
	if [[ $cur == "=" ]]; then
		cur=
	elif [[ $prev == "=" ]] && (( cword > 1 )); then
		prev=${COMP_WORDS[cword - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi

	if (( cword == 1 )); then
		COMPREPLY=($(compgen -W 'print apply check diff status remove confirm set
			catalog fleet --help --version' -- "$cur"))
		return
	fi

	# What is on the line so far: the topology, inventory, roles given
	# and the positional arguments (option values skipped).
	for ((i = 2; i < cword; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-t | --topology | -i | --inventory | -r | --role | -f | --format | \
		--table | --confirm | --from | --port | --proto)
			# The value is the next word, after a lone '=' if bash
			# split `--opt=value` there.
			((i++))
			[[ ${COMP_WORDS[i]} == "=" ]] && ((i++))
			case $w in
			-t | --topology) topology=${COMP_WORDS[i]} ;;
			-i | --inventory) inventory=${COMP_WORDS[i]} ;;
			-r | --role) roles+=("${COMP_WORDS[i]}") ;;
			esac ;;
		--topology=*) topology=${w#*=} ;;
		--inventory=*) inventory=${w#*=} ;;
		--role=*) roles+=("${w#*=}") ;;
		-*) ;;
		*) args+=("$w") ;;
		esac
	done
	[[ -z $topology && -n $inventory ]] &&
		topology=$(_fwgen_inventory_topology "$inventory")

	case $prev in
	-i | --inventory)
		_fwgen_files "$cur"
		return ;;
	-t | --topology)
		COMPREPLY=($(compgen -W "$(_fwgen_topologies)" -- "$cur"))
		return ;;
	-r | --role)
		# Host roles not given yet, and auto (from interface addresses).
		local r list=auto
		[[ -n $topology ]] && for r in $(_fwgen_roles "$topology" host); do
			[[ " ${roles[*]} " == *" $r "* ]] || list+=" $r"
		done
		COMPREPLY=($(compgen -W "$list" -- "$cur"))
		return ;;
	-f | --format)
		if [[ $cmd == status ]]; then
			COMPREPLY=($(compgen -W 'text json prometheus' -- "$cur"))
		else
			COMPREPLY=($(compgen -W 'nft json iptables ip6tables ipset' -- "$cur"))
		fi
		return ;;
	--from)
		[[ -n $topology ]] &&
			COMPREPLY=($(compgen -W "$(_fwgen_roles "$topology" all)" -- "$cur"))
		return ;;
	--proto)
		COMPREPLY=($(compgen -W 'tcp udp' -- "$cur"))
		return ;;
	--table | --confirm | --port)
		return ;;
	esac

	local policy='-i --inventory -t --topology -r --role --strict --table'
	case $cmd in
	print) opts="$policy --audit --enforce -f --format" ;;
	apply) opts="$policy --audit --enforce --confirm --wait --boot --force -q --quiet" ;;
	check) opts="$policy --audit --enforce -q --quiet" ;;
	diff) opts="$policy --audit --enforce -q --quiet" ;;
	status) opts='--table --json -f --format' ;;
	remove) opts='--table --force -q --quiet' ;;
	confirm) opts='--status -q --quiet' ;;
	fleet) opts='-i --inventory -t --topology --strict --audit --enforce
		--json --explain --local -r --role --table' ;;
	set)
		opts='--table -q --quiet'
		if [[ $cur != -* ]]; then
			case ${#args[@]} in
			0) COMPREPLY=($(compgen -W 'add del list' -- "$cur")) ;;
			1) [[ -n $topology ]] && COMPREPLY=($(compgen -W \
				"$(_fwgen_roles "$topology" peer)" -- "$cur")) ;;
			esac
			return
		fi ;;
	catalog)
		if [[ $cur != -* ]]; then
			case ${#args[@]} in
			0) COMPREPLY=($(compgen -W 'list show graph explain' -- "$cur")) ;;
			1) [[ ${args[0]} == show || ${args[0]} == graph ]] &&
				COMPREPLY=($(compgen -W "$(_fwgen_topologies)" -- "$cur"))
			   [[ ${args[0]} == explain ]] &&
				COMPREPLY=($(compgen -W 'tcp/ udp/' -- "$cur")) &&
				compopt -o nospace 2>/dev/null ;;
			esac
			return
		fi
		[[ ${args[0]} == explain ]] &&
			opts="$policy --from --port --proto --outbound" ;;
	*) return ;;
	esac
	COMPREPLY=($(compgen -W "$opts -h --help" -- "$cur"))
}

complete -F _fwgen fwgen
