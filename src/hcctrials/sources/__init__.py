"""hcctrials.sources"""
