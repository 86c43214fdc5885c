import { existsSync, readFileSync } from 'node:fs';

export type VmAccel = 'kvm' | 'tcg';

/**
 * How VMs are run here: KVM when the CPU exposes hardware virtualization
 * (vmx/svm); QEMU's TCG emulator otherwise. A /dev/kvm without vmx/svm is a
 * software nested KVM (kvm-pvm on Firecracker-style hosts): it runs only
 * PVM-aware guest kernels, and a stock Debian kernel triple-faults right after
 * the real-mode setup, so TCG is the working choice there. GENOS_VM_ACCEL
 * (kvm|tcg) overrides.
 */
export function vmAccel(): VmAccel {
  const forced = process.env.GENOS_VM_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return forced;
  if (!existsSync('/dev/kvm')) return 'tcg';
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  if (/^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo)) return 'kvm';
  return existsSync('/sys/module/kvm_pvm') ? 'tcg' : 'kvm';
}
