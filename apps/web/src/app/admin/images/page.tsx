import { ImagesAdmin } from './images-admin';

export default async function ImagesPage({ searchParams }: { searchParams: Promise<{ image?: string }> }) {
  const { image } = await searchParams;
  return (
    <>
      <h1>Images</h1>
      <ImagesAdmin initialImageId={typeof image === 'string' ? image : null} />
    </>
  );
}
