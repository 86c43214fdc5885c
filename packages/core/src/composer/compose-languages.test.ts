// Issue 15: French, German, Spanish, Portuguese, Italian, Chinese and Japanese read as first-class input.
import { describe, expect, it } from 'vitest';
import { FULL_CAPABILITIES } from '../spec/deployment-capabilities';
import { composeEnvironment } from './compose-environment';

const now = new Date(2026, 2, 4, 9, 0, 0);
const compose = (request: string) => composeEnvironment({ request, capabilities: FULL_CAPABILITIES, now });

describe('other languages', () => {
  it.each([
    ['Un bureau avec GIMP, sans réseau', 'fr'],
    ['Ein Desktop mit GIMP, ohne Netz', 'de'],
    ['Un escritorio con GIMP sin red', 'es'],
    ['Um desktop com GIMP sem rede', 'pt'],
    ['Un desktop con GIMP senza rete', 'it'],
    ['我要一个带GIMP的桌面，不要网络', 'zh'],
    ['GIMPのデスクトップ、ネットワークなし', 'ja'],
  ])('a negated network stays closed: %s', (request, lang) => {
    const r = compose(request);
    expect(r.status).toBe('ok');
    expect(r.spec!.network.mode).toBe('none');
    expect(r.spec!.apps).toEqual(['gimp']);
    expect(r.language?.code).toBe(lang);
  });

  it.each([
    ['une machine virtuelle avec 8 cœurs et 16 Go de RAM', 8, 16384],
    ['Eine virtuelle Maschine mit 8 Kerne und 16 GB Arbeitsspeicher', 8, 16384],
    ['una máquina virtual con 4 núcleos y 8 GB de memoria', 4, 8192],
    ['uma máquina virtual com 4 núcleos e 8 GB de memória', 4, 8192],
    ['una macchina virtuale con 4 core e 8 GB di RAM', 4, 8192],
    ['一台虚拟机，4核，8GB内存', 4, 8192],
    ['仮想マシン、4コア、メモリ8GB', 4, 8192],
  ])('runtime and quantities: %s', (request, cpu, memoryMiB) => {
    const r = compose(request);
    expect(r.status).toBe('ok');
    expect(r.spec).toMatchObject({ runtime: 'vm', resources: { cpu, memoryMiB } });
  });

  it('reads isolation, team and internet asks, not only app names', () => {
    expect(compose('un entorno aislado para abrir un adjunto sospechoso').spec).toMatchObject({ isolation: 'hardened', network: { mode: 'none' } });
    expect(compose('LibreOffice im Netzwerk meines Teams').spec?.network.mode).toBe('team');
    expect(compose('Firefox con accesso a internet').spec?.network.mode).toBe('egress');
  });

  it('asks, in the request language, about a network negation it cannot read, and opens nothing', () => {
    for (const request of ['réseau? non merci. juste gimp', 'Internet brauche ich eigentlich nicht, nur Kate', 'ネットは要らないです。vimだけ', 'Firefox but internet is not something I want']) {
      const r = compose(request);
      expect(r.status, request).toBe('needs_clarification');
      expect(r.spec).toBeNull();
      expect(r.questions.length, request).toBeGreaterThan(0);
    }
    expect(compose('réseau? non merci. juste gimp').questions.join(' ')).toMatch(/accès réseau/);
  });

  it('answers a word it did not understand in the language it read', () => {
    expect(compose('Je voudrais GIMP avec le mode zorglubix').questions[0]).toMatch(/^Je n'ai pas compris "zorglubix"/);
    expect(compose('GIMP mit dem Flibberwonk-Modus').questions[0]).toMatch(/"flibberwonk" nicht verstanden/);
    expect(compose('我想要GIMP和zorblax模式').questions[0]).toMatch(/我没有理解 "zorblax"/);
  });
});
