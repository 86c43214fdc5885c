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
