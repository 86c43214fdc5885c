-- CreateTable
CREATE TABLE "CatalogApp" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "aliases" TEXT[],
    "generic" TEXT[],
    "category" TEXT NOT NULL,
    "packages" TEXT[],
    "command" TEXT NOT NULL,
    "needsNetwork" BOOLEAN NOT NULL,
    "needsDesktop" BOOLEAN NOT NULL,
    "needsVm" BOOLEAN NOT NULL,
    "preinstalled" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "source" TEXT NOT NULL DEFAULT 'builtin',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CatalogApp_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CatalogOs" (
    "distro" TEXT NOT NULL,
    "release" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "buildable" BOOLEAN NOT NULL,
    "whyNot" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CatalogOs_pkey" PRIMARY KEY ("distro","release")
);

-- CreateTable
CREATE TABLE "CatalogDesktop" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "packages" TEXT[],
    "buildable" BOOLEAN NOT NULL,
    "whyNot" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CatalogDesktop_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CatalogApp_category_idx" ON "CatalogApp"("category");
