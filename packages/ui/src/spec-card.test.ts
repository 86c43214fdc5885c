import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { composeEnvironment, DEPLOYMENT_CAPABILITIES } from '@genos/core';
import { SpecCard } from './spec-card';

describe('SpecCard', () => {
  it('says plainly, above the spec, when Tor Browser was replaced by Firefox ESR through Tor', () => {
    const result = composeEnvironment({ request: 'I need a Linux environment with Tor browser for secure browsing', capabilities: DEPLOYMENT_CAPABILITIES });
    const html = renderToStaticMarkup(createElement(SpecCard, { result }));
    const notices = /<ul data-testid="spec-notices"[^>]*>(.*?)<\/ul>/.exec(html)?.[1] ?? '';
    expect(notices).toContain('Tor Browser cannot be installed on this deployment');
    expect(notices).toContain('It is not Tor Browser: its fingerprint differs');
    // Before the spec table, and not repeated among the assumptions.
    expect(html.indexOf('spec-notices')).toBeLessThan(html.indexOf('<table'));
    const assumptions = /<ul data-testid="spec-assumptions">(.*?)<\/ul>/.exec(html)?.[1] ?? '';
    expect(assumptions).not.toContain('Tor Browser cannot be installed');
    expect(html).toMatch(/data-testid="spec-apps">firefox-esr</);
  });

  it('shows no notice block when nothing was replaced', () => {
    const result = composeEnvironment({ request: 'a desktop with firefox', capabilities: DEPLOYMENT_CAPABILITIES });
    expect(renderToStaticMarkup(createElement(SpecCard, { result }))).not.toContain('spec-notices');
  });
});

describe('SpecCard word accounting', () => {
  it('shows words it did not understand apart from everything else, and offers no launch', () => {
    const result = composeEnvironment({ request: 'gimp please, and make it blorvy', capabilities: DEPLOYMENT_CAPABILITIES });
    const html = renderToStaticMarkup(createElement(SpecCard, { result, onLaunch: () => {} }));
    const unread = /<p data-testid="spec-unread"[^>]*>(.*?)<\/p>/.exec(html)?.[1] ?? '';
    expect(unread).toContain('Not understood');
    expect(unread).toContain('blorvy');
    expect(html).not.toContain('>Launch<');
  });

  it('lists defaults as defaults, not among what was read from the request', () => {
    const result = composeEnvironment({ request: 'a desktop with firefox', capabilities: DEPLOYMENT_CAPABILITIES });
    const html = renderToStaticMarkup(createElement(SpecCard, { result }));
    const items = [...html.matchAll(/<li( class="muted" data-default="true")?>(.*?)<\/li>/g)];
    const defaults = items.filter((m) => m[1]).map((m) => m[2]);
    const read = items.filter((m) => !m[1]).map((m) => m[2]);
    expect(defaults).toContain('Operating system: Debian 12 (default).');
    expect(read.join(' ')).not.toContain('Debian 12');
    expect(read.join(' ')).toContain('Firefox ESR needs it');
    // What was read comes first; every default says it is one.
    expect(html.indexOf('Firefox ESR needs it')).toBeLessThan(html.indexOf('Debian 12 (default)'));
    expect(defaults.every((d) => d!.endsWith('(default).'))).toBe(true);
    expect(html).not.toContain('spec-unread');
  });
});
