"""hcctrials.matching"""
