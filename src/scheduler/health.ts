// The host's load, for heartbeat events and dispatch back-off (issue 12 item 7): CPU use since the
// previous sample (all cores) and memory in use, both in percent.
import { cpus, freemem, totalmem } from 'node:os';

export interface HealthSample {
  cpu_percent: number;
  memory_percent: number;
}

export type HealthProbe = () => HealthSample;

interface CpuTimes {
  idle: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** A probe comparing each sample's CPU times with the previous one's (the first with boot). */
export function hostHealthProbe(): HealthProbe {
  let last = cpuTimes();
  let lastCpu = 0;
  return () => {
    const now = cpuTimes();
    const total = now.total - last.total;
    // Two samples within one clock tick: keep the last figure rather than report 0 %.
    if (total > 0) lastCpu = Math.max(0, Math.min(100, (100 * (total - (now.idle - last.idle))) / total));
    last = now;
    const memory = totalmem() > 0 ? (100 * (totalmem() - freemem())) / totalmem() : 0;
    return { cpu_percent: Math.round(lastCpu * 10) / 10, memory_percent: Math.round(memory * 10) / 10 };
  };
}
