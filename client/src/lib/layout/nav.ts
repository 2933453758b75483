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
  { title: 'Overview', items: [{ href: '/', label: 'Dashboard', icon: 'dashboard' }] },
  {
    title: 'Gateway',
    items: [
      { href: '/providers', label: 'Providers', icon: 'providers' },
      { href: '/models', label: 'Models', icon: 'models' },
      { href: '/catalog', label: 'Model catalog', icon: 'search' },
      { href: '/keys', label: 'Virtual keys', icon: 'key' },
    ],
  },
  { title: 'Routing', items: [{ href: '/virtual-models', label: 'Virtual models', icon: 'routing' }] },
  {
    title: 'Observability',
    items: [
      { href: '/logs', label: 'Logs', icon: 'logs' },
      { href: '/health', label: 'Health', icon: 'pulse' },
    ],
  },
  {
    title: 'Administration',
    items: [
      { href: '/users', label: 'Users', icon: 'users', adminOnly: true },
      { href: '/settings', label: 'Settings', icon: 'settings' },
    ],
  },
];

export function isActive(href: string, pathname: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}
