# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_msgl_global_optspecs
    string join \n home= f/file= q/quiet h/help V/version
end

function __fish_msgl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_msgl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_msgl_using_subcommand
    set -l cmd (__fish_msgl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c msgl -n "__fish_msgl_needs_command" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_needs_command" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_needs_command" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_needs_command" -s h -l help -d 'Print help'
complete -c msgl -n "__fish_msgl_needs_command" -s V -l version -d 'Print version'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "check" -d 'Check the journal: balance, sequence numbers, timestamps'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "balance" -d 'Show account balances as a tree, with the node\'s net value'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "bal" -d 'Show account balances as a tree, with the node\'s net value'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "register" -d 'Show postings with a running total, as hledger\'s register'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "reg" -d 'Show postings with a running total, as hledger\'s register'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "accounts" -d 'List the accounts in the journal'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "print" -d 'Print the journal (msgl\'s format, or hledger\'s with --hledger)'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "import" -d 'Read an hledger journal and print it in msgl\'s format'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "add" -d 'Book an entry: a message, a payment or a deposit'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "init" -d 'Create a node home: a new key, msgl.yaml, a journal and its directories'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "id" -d 'Print this node\'s public key (hex), for peers\' `msgl peer add`'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "peer" -d 'Manage the node\'s peers (msgl.yaml)'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "peers" -d 'Show each peer\'s A/R, A/P, net, credit limit and status'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "may-serve" -d 'Answer by exit status whether the peer may be served one more message'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "open" -d 'Open a channel to a payee (payer)'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "accept-open" -d 'Verify and record a payer\'s channel open (payee)'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "channels" -d 'List this node\'s channels and the units used and left'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "ack" -d 'Sign an ack for a message received and book it (payer)'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "accept" -d 'Check, store and book acks (payee)'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "served" -d 'Record a message delivered to a peer, not yet acked (payee)'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "reconcile" -d 'Reconcile the books with a peer: propose, co-sign or close a period'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "prove" -d 'Prove a batch of acks with a Stwo STARK'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "verify-proof" -d 'Check a proof directory written by `msgl prove`'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "calldata" -d 'Print the calldata that settles a proven batch on chain'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "settled" -d 'Book settlements, paid debts and claims from their transaction receipts'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "chain" -d 'Send, watch and book transactions on the settlement chain (JSON-RPC)'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "demo" -d 'Run three nodes through the whole flow, with the real commands'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c msgl -n "__fish_msgl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c msgl -n "__fish_msgl_using_subcommand check" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand check" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand check" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand check" -l strict -d 'Also refuse the single-posting MESSAGE SENT / MESSAGE RECEIVED form (implied counterpart)'
complete -c msgl -n "__fish_msgl_using_subcommand check" -l evidence -d 'Also check the journal against the acks and agreements the home keeps'
complete -c msgl -n "__fish_msgl_using_subcommand check" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand balance" -s d -l depth -d 'Fold accounts deeper than N into their parent' -r
complete -c msgl -n "__fish_msgl_using_subcommand balance" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand balance" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand balance" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand balance" -l flat -d 'List accounts with postings by full name, each with its own sum'
complete -c msgl -n "__fish_msgl_using_subcommand balance" -s E -l empty -d 'Show accounts whose balance is zero'
complete -c msgl -n "__fish_msgl_using_subcommand balance" -l strict -d 'Fail (exit 1, nothing printed where the report can tell before printing) when the journal fails `msgl check --strict`, instead of warning on stderr'
complete -c msgl -n "__fish_msgl_using_subcommand balance" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand balance" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand bal" -s d -l depth -d 'Fold accounts deeper than N into their parent' -r
complete -c msgl -n "__fish_msgl_using_subcommand bal" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand bal" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand bal" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand bal" -l flat -d 'List accounts with postings by full name, each with its own sum'
complete -c msgl -n "__fish_msgl_using_subcommand bal" -s E -l empty -d 'Show accounts whose balance is zero'
complete -c msgl -n "__fish_msgl_using_subcommand bal" -l strict -d 'Fail (exit 1, nothing printed where the report can tell before printing) when the journal fails `msgl check --strict`, instead of warning on stderr'
complete -c msgl -n "__fish_msgl_using_subcommand bal" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand bal" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand register" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand register" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand register" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand register" -l strict -d 'Fail (exit 1, nothing printed where the report can tell before printing) when the journal fails `msgl check --strict`, instead of warning on stderr'
complete -c msgl -n "__fish_msgl_using_subcommand register" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand register" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand reg" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand reg" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand reg" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand reg" -l strict -d 'Fail (exit 1, nothing printed where the report can tell before printing) when the journal fails `msgl check --strict`, instead of warning on stderr'
complete -c msgl -n "__fish_msgl_using_subcommand reg" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand reg" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand accounts" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand accounts" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand accounts" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand accounts" -l strict -d 'Fail (exit 1, nothing printed where the report can tell before printing) when the journal fails `msgl check --strict`, instead of warning on stderr'
complete -c msgl -n "__fish_msgl_using_subcommand accounts" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand accounts" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand print" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand print" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand print" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand print" -l hledger -d 'Write hledger\'s journal format (hledger\'s signs: see above)'
complete -c msgl -n "__fish_msgl_using_subcommand print" -l strict -d 'Fail (exit 1, nothing printed where the report can tell before printing) when the journal fails `msgl check --strict`, instead of warning on stderr'
complete -c msgl -n "__fish_msgl_using_subcommand print" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand print" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand import" -s o -l output -d 'Write to this new file instead of standard output (never overwrites)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand import" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand import" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand import" -l hledger -d 'The input is an hledger journal (the only format msgl imports)'
complete -c msgl -n "__fish_msgl_using_subcommand import" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand add" -l peer -d 'The peer (matched case-insensitively against msgl.yaml\'s peers)' -r
complete -c msgl -n "__fish_msgl_using_subcommand add" -s m -l message -d 'The message\'s 32-byte hash: 64 hex digits (its first 16 name the sub-account)' -r
complete -c msgl -n "__fish_msgl_using_subcommand add" -s a -l amount -d 'The amount, positive (e.g. 0.00001 or 0.00001 SNT)' -r
complete -c msgl -n "__fish_msgl_using_subcommand add" -l at -d 'The entry\'s time, unix epoch milliseconds [default: now]' -r
complete -c msgl -n "__fish_msgl_using_subcommand add" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand add" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand add" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand init" -l name -d 'The node\'s name (letters, digits, `-` and `_`); required without --from' -r
complete -c msgl -n "__fish_msgl_using_subcommand init" -l from -d 'A template directory holding msgl.yaml and, optionally, journal.ledger' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand init" -l token -d 'The token the node is paid in [default: SNT]' -r
complete -c msgl -n "__fish_msgl_using_subcommand init" -l decimals -d 'The token\'s decimals [default: 18]' -r
complete -c msgl -n "__fish_msgl_using_subcommand init" -l unit-price -d 'The price of one unit, in the token [default: 0.00001]' -r
complete -c msgl -n "__fish_msgl_using_subcommand init" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand init" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand init" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand id" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand id" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand id" -l evm -d 'Print the EVM address (keys/evm.key) instead'
complete -c msgl -n "__fish_msgl_using_subcommand id" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand id" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand peer; and not __fish_seen_subcommand_from add help" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand peer; and not __fish_seen_subcommand_from add help" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand peer; and not __fish_seen_subcommand_from add help" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand peer; and not __fish_seen_subcommand_from add help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand peer; and not __fish_seen_subcommand_from add help" -f -a "add" -d 'Add a peer by name and public key'
complete -c msgl -n "__fish_msgl_using_subcommand peer; and not __fish_seen_subcommand_from add help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c msgl -n "__fish_msgl_using_subcommand peer; and __fish_seen_subcommand_from add" -l policy -d 'Credit policy: prepay, credit:AMOUNT or escrow:AMOUNT' -r
complete -c msgl -n "__fish_msgl_using_subcommand peer; and __fish_seen_subcommand_from add" -l cap -d 'Largest credit limit the peer can grow to with paid history' -r
complete -c msgl -n "__fish_msgl_using_subcommand peer; and __fish_seen_subcommand_from add" -l address -d 'The peer\'s EVM address (0x and 40 hex digits), as its `msgl id --evm` prints it' -r
complete -c msgl -n "__fish_msgl_using_subcommand peer; and __fish_seen_subcommand_from add" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand peer; and __fish_seen_subcommand_from add" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand peer; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand peer; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c msgl -n "__fish_msgl_using_subcommand peer; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a peer by name and public key'
complete -c msgl -n "__fish_msgl_using_subcommand peer; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c msgl -n "__fish_msgl_using_subcommand peers" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand peers" -l at -d 'Judge as of this time, unix epoch milliseconds [default: now]' -r
complete -c msgl -n "__fish_msgl_using_subcommand peers" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand peers" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand peers" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand peers" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand may-serve" -l price -d 'The next message\'s price in units' -r
complete -c msgl -n "__fish_msgl_using_subcommand may-serve" -l at -d 'Judge as of this time, unix epoch milliseconds [default: now]' -r
complete -c msgl -n "__fish_msgl_using_subcommand may-serve" -l max-age -d 'The oldest cached chain status (seconds) still used' -r
complete -c msgl -n "__fish_msgl_using_subcommand may-serve" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand may-serve" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand may-serve" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand may-serve" -l offline -d 'Judge without the chain: ignore the cached chain status'
complete -c msgl -n "__fish_msgl_using_subcommand may-serve" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand may-serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand open" -l to -d 'The payee (a peer in msgl.yaml)' -r
complete -c msgl -n "__fish_msgl_using_subcommand open" -l units -d 'Length of the chain: the most units the channel can pay' -r
complete -c msgl -n "__fish_msgl_using_subcommand open" -l escrow -d 'Escrow set aside for this payee (token)' -r
complete -c msgl -n "__fish_msgl_using_subcommand open" -s o -l out -d 'Write the signed open to FILE (never overwritten) instead of stdout' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand open" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand open" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand open" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand open" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand accept-open" -s o -l out -d 'Write the acceptance (a channel on chain) to FILE instead of stdout' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand accept-open" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand accept-open" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand accept-open" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand channels" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand channels" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand channels" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand channels" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand channels" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand ack" -l to -d 'The payee (a peer in msgl.yaml)' -r
complete -c msgl -n "__fish_msgl_using_subcommand ack" -s m -l message -d 'The message\'s hash: 64 hex digits' -r
complete -c msgl -n "__fish_msgl_using_subcommand ack" -l price -d 'The message\'s price in units' -r
complete -c msgl -n "__fish_msgl_using_subcommand ack" -l nonce -d 'With --resend: the ack\'s nonce [default: the last]' -r
complete -c msgl -n "__fish_msgl_using_subcommand ack" -s o -l out -d 'Write the ack to FILE (never overwritten) instead of stdout' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand ack" -l group -d 'With --stream: at most N acks per commit (one sync per file)' -r
complete -c msgl -n "__fish_msgl_using_subcommand ack" -l group-ms -d 'With --stream: commit a group at most MS milliseconds after its first ack' -r
complete -c msgl -n "__fish_msgl_using_subcommand ack" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand ack" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand ack" -l resend -d 'Hand out an ack already issued (from sent/) instead of signing one'
complete -c msgl -n "__fish_msgl_using_subcommand ack" -l stream -d 'Sign one ack per request line of stdin, each written as a JSON line once committed'
complete -c msgl -n "__fish_msgl_using_subcommand ack" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand ack" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand accept" -l group -d 'With --stream: at most N acks per commit (one sync per file)' -r
complete -c msgl -n "__fish_msgl_using_subcommand accept" -l group-ms -d 'With --stream: commit a group at most MS milliseconds after its first ack' -r
complete -c msgl -n "__fish_msgl_using_subcommand accept" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand accept" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand accept" -l stream -d 'Check and book the acks of stdin, one JSON verdict line each once committed'
complete -c msgl -n "__fish_msgl_using_subcommand accept" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand accept" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand served" -s m -l message -d 'The message\'s hash: 64 hex digits' -r
complete -c msgl -n "__fish_msgl_using_subcommand served" -l price -d 'The message\'s price in units' -r
complete -c msgl -n "__fish_msgl_using_subcommand served" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand served" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand served" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand served" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand reconcile" -l with -d 'The peer (a name in msgl.yaml, case-insensitive)' -r
complete -c msgl -n "__fish_msgl_using_subcommand reconcile" -l epoch -d 'The period\'s end, unix epoch milliseconds [default: now] (proposal only)' -r
complete -c msgl -n "__fish_msgl_using_subcommand reconcile" -l accept -d 'Check the peer\'s proposal against this node\'s books and co-sign it' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand reconcile" -l finalize -d 'Book RECONCILED for a co-signed agreement and close the period' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand reconcile" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand reconcile" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand reconcile" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand reconcile" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand reconcile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand prove" -s o -l out -d 'The proof directory to write [default: proof-<unix ms>]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand prove" -l state -d 'The contract\'s view of the channels (old tips and counts)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand prove" -l chain-id -d 'The chain id of the deployment the proof settles on' -r
complete -c msgl -n "__fish_msgl_using_subcommand prove" -l settlement -d 'The settlement contract\'s address (0x and 40 hex digits)' -r
complete -c msgl -n "__fish_msgl_using_subcommand prove" -l token -d 'The token\'s address (0x and 40 hex digits)' -r
complete -c msgl -n "__fish_msgl_using_subcommand prove" -l max-entries -d 'Most entries per part: each part\'s settle must fit one transaction' -r
complete -c msgl -n "__fish_msgl_using_subcommand prove" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand prove" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand prove" -l for-chain -d 'Write the proof the on-chain verifier checks (Keccak-256, on-chain parameters)'
complete -c msgl -n "__fish_msgl_using_subcommand prove" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand prove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand verify-proof" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand verify-proof" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand verify-proof" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand verify-proof" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand calldata" -l verifier -d 'The verifier\'s address, for --verify -O json\'s `to` [default: msgl.yaml\'s chain.verifier]' -r
complete -c msgl -n "__fish_msgl_using_subcommand calldata" -l part -d 'Only part K (from 1) of a split proof' -r
complete -c msgl -n "__fish_msgl_using_subcommand calldata" -l to -d 'The contract\'s address, for -O json\'s `to`' -r
complete -c msgl -n "__fish_msgl_using_subcommand calldata" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand calldata" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand calldata" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand calldata" -l verify -d 'The on-chain verifier\'s transactions (needs a `msgl prove --for-chain` proof)'
complete -c msgl -n "__fish_msgl_using_subcommand calldata" -l register -d 'The trusted stand-in registry\'s registerFact(fact) instead of settle'
complete -c msgl -n "__fish_msgl_using_subcommand calldata" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand calldata" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand settled" -l settlement -d 'The settlement contract whose events count (0x and 40 hex digits) [default: chain.settlement in msgl.yaml]' -r
complete -c msgl -n "__fish_msgl_using_subcommand settled" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand settled" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand settled" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand settled" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -l rpc -d 'The node\'s JSON-RPC URL [default: chain.rpc in msgl.yaml]' -r
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -f -a "deploy" -d 'Deploy a settlement contract with its on-chain verifier (and a test token)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -f -a "deposit" -d 'Deposit tokens into the settlement contract (payer)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -f -a "open" -d 'Open a channel on chain with its signed terms and the payee\'s acceptance (payer)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -f -a "status" -d 'Show where this node\'s channels stand on chain'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -f -a "settle" -d 'Settle a proof directory on chain and book it from the receipts (payee)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -f -a "claim" -d 'Take what settlements credited this node into its wallet, and book it (payee)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and not __fish_seen_subcommand_from deploy deposit open status settle claim help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deploy" -l token -d 'Use this ERC-20 token instead of deploying a test token' -r
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deploy" -l withdraw-delay -d 'Seconds a payee has to settle after its payer asks for the escrow back (the contract allows 3600 to 2592000)' -r
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deploy" -l rpc -d 'The node\'s JSON-RPC URL [default: chain.rpc in msgl.yaml]' -r
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deploy" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deploy" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deploy" -l write-config -d 'Write the deployment into msgl.yaml\'s chain:'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deploy" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deploy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deposit" -l rpc -d 'The node\'s JSON-RPC URL [default: chain.rpc in msgl.yaml]' -r
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deposit" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deposit" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deposit" -l mint -d 'Mint AMOUNT of the (test) token first'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deposit" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from deposit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from open" -l rpc -d 'The node\'s JSON-RPC URL [default: chain.rpc in msgl.yaml]' -r
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from open" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from open" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from open" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from status" -s O -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For scripts: one JSON document'
csv\t'For scripts and spreadsheets: a header row, then one row per line'"
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from status" -l rpc -d 'The node\'s JSON-RPC URL [default: chain.rpc in msgl.yaml]' -r
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from status" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from status" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from settle" -l rpc -d 'The node\'s JSON-RPC URL [default: chain.rpc in msgl.yaml]' -r
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from settle" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from settle" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from settle" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from settle" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from claim" -l rpc -d 'The node\'s JSON-RPC URL [default: chain.rpc in msgl.yaml]' -r
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from claim" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from claim" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from claim" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from claim" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from help" -f -a "deploy" -d 'Deploy a settlement contract with its on-chain verifier (and a test token)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from help" -f -a "deposit" -d 'Deposit tokens into the settlement contract (payer)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from help" -f -a "open" -d 'Open a channel on chain with its signed terms and the payee\'s acceptance (payer)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show where this node\'s channels stand on chain'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from help" -f -a "settle" -d 'Settle a proof directory on chain and book it from the receipts (payee)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from help" -f -a "claim" -d 'Take what settlements credited this node into its wallet, and book it (payee)'
complete -c msgl -n "__fish_msgl_using_subcommand chain; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c msgl -n "__fish_msgl_using_subcommand demo" -l dir -d 'Where to create the homes: a new or empty directory [default: msgl-demo-<unix ms>]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand demo" -s n -l messages -d 'Messages between Node1 and Node2 (both ways)' -r
complete -c msgl -n "__fish_msgl_using_subcommand demo" -l templates -d 'Template directories node1/, node2/, node3/ (msgl.yaml, journal.ledger) [default: ledgers/demo/, embedded]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand demo" -l rpc -d 'Run the on-chain steps on the Ethereum node at URL (http://, a development node with an unlocked funded account) through `msgl chain` [default: an in-memory EVM]' -r
complete -c msgl -n "__fish_msgl_using_subcommand demo" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand demo" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand demo" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand completions" -l home -d 'The node\'s home directory [default: $MSGL_HOME, else the current directory]' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand completions" -s f -l file -d 'Read this journal instead of the home\'s journal.ledger (`-` is standard input)' -r -F
complete -c msgl -n "__fish_msgl_using_subcommand completions" -s q -l quiet -d 'Print nothing but errors and requested data'
complete -c msgl -n "__fish_msgl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "check" -d 'Check the journal: balance, sequence numbers, timestamps'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "balance" -d 'Show account balances as a tree, with the node\'s net value'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "register" -d 'Show postings with a running total, as hledger\'s register'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "accounts" -d 'List the accounts in the journal'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "print" -d 'Print the journal (msgl\'s format, or hledger\'s with --hledger)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "import" -d 'Read an hledger journal and print it in msgl\'s format'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "add" -d 'Book an entry: a message, a payment or a deposit'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "init" -d 'Create a node home: a new key, msgl.yaml, a journal and its directories'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "id" -d 'Print this node\'s public key (hex), for peers\' `msgl peer add`'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "peer" -d 'Manage the node\'s peers (msgl.yaml)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "peers" -d 'Show each peer\'s A/R, A/P, net, credit limit and status'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "may-serve" -d 'Answer by exit status whether the peer may be served one more message'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "open" -d 'Open a channel to a payee (payer)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "accept-open" -d 'Verify and record a payer\'s channel open (payee)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "channels" -d 'List this node\'s channels and the units used and left'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "ack" -d 'Sign an ack for a message received and book it (payer)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "accept" -d 'Check, store and book acks (payee)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "served" -d 'Record a message delivered to a peer, not yet acked (payee)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "reconcile" -d 'Reconcile the books with a peer: propose, co-sign or close a period'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "prove" -d 'Prove a batch of acks with a Stwo STARK'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "verify-proof" -d 'Check a proof directory written by `msgl prove`'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "calldata" -d 'Print the calldata that settles a proven batch on chain'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "settled" -d 'Book settlements, paid debts and claims from their transaction receipts'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "chain" -d 'Send, watch and book transactions on the settlement chain (JSON-RPC)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "demo" -d 'Run three nodes through the whole flow, with the real commands'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c msgl -n "__fish_msgl_using_subcommand help; and not __fish_seen_subcommand_from check balance register accounts print import add init id peer peers may-serve open accept-open channels ack accept served reconcile prove verify-proof calldata settled chain demo completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and __fish_seen_subcommand_from peer" -f -a "add" -d 'Add a peer by name and public key'
complete -c msgl -n "__fish_msgl_using_subcommand help; and __fish_seen_subcommand_from chain" -f -a "deploy" -d 'Deploy a settlement contract with its on-chain verifier (and a test token)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and __fish_seen_subcommand_from chain" -f -a "deposit" -d 'Deposit tokens into the settlement contract (payer)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and __fish_seen_subcommand_from chain" -f -a "open" -d 'Open a channel on chain with its signed terms and the payee\'s acceptance (payer)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and __fish_seen_subcommand_from chain" -f -a "status" -d 'Show where this node\'s channels stand on chain'
complete -c msgl -n "__fish_msgl_using_subcommand help; and __fish_seen_subcommand_from chain" -f -a "settle" -d 'Settle a proof directory on chain and book it from the receipts (payee)'
complete -c msgl -n "__fish_msgl_using_subcommand help; and __fish_seen_subcommand_from chain" -f -a "claim" -d 'Take what settlements credited this node into its wallet, and book it (payee)'
