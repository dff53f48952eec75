#!/usr/bin/env bash
# slurm-local.sh: a one-node Slurm cluster on this machine (Debian's slurm-wlm and munge), to develop and test `runner submit`.
#
#   bash scripts/slurm-local.sh start    install what is missing, write the configuration, start munged,
#                                        slurmctld and slurmd, wait until the node takes jobs
#   bash scripts/slurm-local.sh stop     cancel every job and stop the three daemons
#   bash scripts/slurm-local.sh status   sinfo and squeue
#
# Made for containers and VMs without an init system: the daemons are started directly, and the
# munge socket directory (/run/munge), which Debian's service unit would create, is made by hand.
# Everything runs as root (SlurmUser=root), without cgroups (proctrack/linuxproc) and without
# accounting. The configuration goes to /etc/slurm/slurm.conf and state to /var/spool/slurm-local.
set -euo pipefail

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install() {
    if command -v slurmctld >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null; then return; fi
    sudo_if_needed apt-get update
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y slurm-wlm munge
}

configure() {
    local host cpus memory
    host=$(hostname -s)
    cpus=$(nproc)
    # Slurm refuses a node that reports less memory than configured: leave 1 GiB to the system.
    memory=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 1024 ))
    sudo_if_needed mkdir -p /etc/slurm /var/spool/slurm-local/ctld /var/spool/slurm-local/d /var/log/slurm-local
    sudo_if_needed tee /etc/slurm/slurm.conf >/dev/null <<CONF
# Written by runner's scripts/slurm-local.sh: one node, all of this machine.
ClusterName=runner-local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurm-local/ctld
SlurmdSpoolDir=/var/spool/slurm-local/d
SlurmctldPidFile=/var/spool/slurm-local/slurmctld.pid
SlurmdPidFile=/var/spool/slurm-local/slurmd.pid
SlurmctldLogFile=/var/log/slurm-local/slurmctld.log
SlurmdLogFile=/var/log/slurm-local/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

start_munge() {
    if pgrep -x munged >/dev/null; then return; fi
    sudo_if_needed mkdir -p /run/munge /var/lib/munge /var/log/munge /etc/munge
    if [ ! -s /etc/munge/munge.key ]; then
        sudo_if_needed dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    sudo_if_needed chown -R munge:munge /run/munge /var/lib/munge /var/log/munge /etc/munge
    sudo_if_needed chmod 0700 /etc/munge /var/lib/munge /var/log/munge
    sudo_if_needed chmod 0755 /run/munge
    sudo_if_needed chmod 0400 /etc/munge/munge.key
    sudo_if_needed runuser -u munge -- munged
}

wait_for_node() {
    local host
    host=$(hostname -s)
    for _ in $(seq 1 60); do
        local state
        state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
        case "$state" in
            idle|mix|alloc) echo "slurm-local: node $host is up ($state), partition local"; return 0 ;;
            down*|drain*) sudo_if_needed scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
        esac
        sleep 1
    done
    echo "slurm-local: node $host did not come up; see /var/log/slurm-local/" >&2
    return 1
}

start() {
    install
    configure
    start_munge
    pgrep -x slurmctld >/dev/null || sudo_if_needed slurmctld
    pgrep -x slurmd >/dev/null || sudo_if_needed slurmd
    wait_for_node
}

stop() {
    scancel --user="$(id -un)" >/dev/null 2>&1 || true
    for daemon in slurmd slurmctld munged; do
        sudo_if_needed pkill -x "$daemon" 2>/dev/null || true
        # A start right after must not find the old daemon still shutting down.
        for _ in $(seq 1 30); do pgrep -x "$daemon" >/dev/null || break; sleep 0.5; done
    done
    echo "slurm-local: stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) sinfo; squeue ;;
    *) echo "usage: bash scripts/slurm-local.sh start|stop|status" >&2; exit 2 ;;
esac
