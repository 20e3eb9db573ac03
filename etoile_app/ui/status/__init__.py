"""The status tab: where the show stands, topic by topic, with the news that overtook each fact."""
