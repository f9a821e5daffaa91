/** Entra's multi-tenant authorities: the issuer then names the signed-in person's tenant, not the app's. */
export const AZURE_MULTI_TENANT_NAMES: readonly string[] = ['common', 'organizations', 'consumers'];

export const isMultiTenant = (tenantId: string | null | undefined): boolean => AZURE_MULTI_TENANT_NAMES.includes((tenantId ?? '').toLowerCase());

/** A tenant GUID, a verified domain, or one of the multi-tenant names. */
export const AZURE_TENANT = /^(common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$/i;
