# Shared helpers for the CI scripts. Source it first.

# Cleanup steps run in reverse order when the script exits, however it exits.
exit_steps=()
on_exit() { exit_steps+=("$1"); }
run_exit_steps() {
    local i
    for ((i = ${#exit_steps[@]} - 1; i >= 0; i--)); do "${exit_steps[$i]}" || true; done
}
trap run_exit_steps EXIT
