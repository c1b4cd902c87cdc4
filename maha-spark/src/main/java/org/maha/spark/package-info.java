/**
 * maha on Apache Spark: {@link org.maha.spark.MahaSpark#fit} gathers, per partition, the exact mergeable
 * statistics of the images' features (one backbone session per executor JVM) and merges them with
 * {@code treeAggregate} into the model a single machine fits; {@link org.maha.spark.MahaSpark#score} turns a table
 * of images into a table of scores, an unreadable image becoming a row with an error. {@link
 * org.maha.spark.MahaSparkMain} is the {@code spark-submit} entry point. Spark itself is a provided dependency.
 */
package org.maha.spark;
