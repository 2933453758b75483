import { tr } from '$lib/i18n';
import type { IconName } from '$lib/components/icons';

export interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  /** Hidden for viewers: the page's data is admin-only on the API. */
  adminOnly?: boolean;
}

export interface NavSection {
  title: string;
  items: NavItem[];
}

/** Sidebar structure. Only pages that exist are listed. */
export const NAV: NavSection[] = [
  {
    title: tr('nav.overview'),
    items: [
      { href: '/', label: tr('nav.dashboard'), icon: 'dashboard' },
      { href: '/playground', label: tr('nav.playground'), icon: 'play' },
    ],
  },
  {
    title: tr('nav.gateway'),
    items: [
      { href: '/providers', label: tr('nav.providers'), icon: 'providers' },
      { href: '/models', label: tr('nav.models'), icon: 'models' },
      { href: '/catalog', label: tr('nav.modelCatalog'), icon: 'search' },
      { href: '/keys', label: tr('nav.virtualKeys'), icon: 'key' },
      { href: '/mcp', label: tr('nav.mcp'), icon: 'routing' },
    ],
  },
  {
    title: tr('nav.routing'),
    items: [
      { href: '/virtual-models', label: tr('nav.virtualModels'), icon: 'routing' },
      { href: '/guardrails', label: tr('nav.guardrails'), icon: 'ban' },
    ],
  },
  {
    title: tr('nav.observability'),
    items: [
      { href: '/usage', label: tr('nav.usage'), icon: 'dashboard' },
      { href: '/logs', label: tr('nav.logs'), icon: 'logs' },
      { href: '/health', label: tr('nav.health'), icon: 'pulse' },
      { href: '/alerts', label: tr('nav.alerts'), icon: 'warning' },
    ],
  },
  {
    title: tr('nav.administration'),
    items: [
      { href: '/users', label: tr('nav.users'), icon: 'users', adminOnly: true },
      { href: '/teams', label: tr('nav.teams'), icon: 'users', adminOnly: true },
      { href: '/audit', label: tr('nav.auditLog'), icon: 'logs', adminOnly: true },
      { href: '/settings', label: tr('nav.settings'), icon: 'settings' },
    ],
  },
];

export function isActive(href: string, pathname: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}
