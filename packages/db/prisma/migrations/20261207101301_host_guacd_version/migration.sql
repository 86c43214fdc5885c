-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "guacdVersion" TEXT;
