# Open MPI settings for Tributary runs. Source it (`. launch/env.sh`); launch/run.sh and Tests/smoke/lib.sh do.
#
# Every setting is an environment variable that mpirun reads (OMPI_MCA_<param> = `--mca <param>`), so a value
# already set by the caller wins. Nothing here is needed on a cluster with a tuned Open MPI; it makes a laptop,
# a CI container and a root shell behave.

# Containers and CI run as root; Open MPI refuses that unless told twice. Only set for root.
if [ "$(id -u)" = "0" ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1
    export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

# One "MPI_ABORT was invoked…" banner per job, not one per rank.
export OMPI_MCA_orte_base_help_aggregate="${OMPI_MCA_orte_base_help_aggregate:-1}"

# No InfiniBand verbs BTL probing on machines without it (silences "no OpenFabrics device" warnings);
# shared memory (vader), self and TCP remain. On an InfiniBand cluster unset it, or use UCX (`--mca pml ucx`).
export OMPI_MCA_btl="${OMPI_MCA_btl:-^openib}"

# Containers without ptrace rights cannot use shared-memory single copy (CMA): messages such as
# "Read -1, expected …, errno = 1" from vader. Then set TRIBUTARY_MPI_NO_CMA=1 (costs large-message bandwidth).
if [ "${TRIBUTARY_MPI_NO_CMA:-0}" = "1" ]; then
    export OMPI_MCA_btl_vader_single_copy_mechanism=none
fi

# Multi-host runs over TCP: pick the interface the hosts share, e.g. TRIBUTARY_MPI_IFACE=eth0
# (same as `--mca btl_tcp_if_include eth0 --mca oob_tcp_if_include eth0`).
if [ -n "${TRIBUTARY_MPI_IFACE:-}" ]; then
    export OMPI_MCA_btl_tcp_if_include="$TRIBUTARY_MPI_IFACE"
    export OMPI_MCA_oob_tcp_if_include="$TRIBUTARY_MPI_IFACE"
fi
