import Link from 'next/link';
import type { ReactNode } from 'react';

export interface Crumb {
  href?: string;
  label: string;
}

export function PageHeader({
  title,
  crumbs,
  description,
  actions,
}: {
  title: ReactNode;
  crumbs?: Crumb[];
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        {crumbs && crumbs.length > 0 && (
          <nav aria-label="Breadcrumb" className="breadcrumbs">
            <ol>
              {crumbs.map((crumb) => (
                <li key={`${crumb.href ?? ''}|${crumb.label}`} aria-current={crumb.href ? undefined : 'page'}>
                  {crumb.href ? <Link href={crumb.href}>{crumb.label}</Link> : crumb.label}
                </li>
              ))}
            </ol>
          </nav>
        )}
        <h1>{title}</h1>
        {description && <p className="muted">{description}</p>}
      </div>
      {actions && <div className="row center">{actions}</div>}
    </div>
  );
}
