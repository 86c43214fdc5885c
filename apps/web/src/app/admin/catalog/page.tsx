import { CatalogAdmin } from './catalog-admin';

export default function CatalogPage() {
  return (
    <>
      <h1>Applications</h1>
      <CatalogAdmin />
    </>
  );
}
